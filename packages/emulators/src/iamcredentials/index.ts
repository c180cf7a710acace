export { startIamCredentialsStandIn, type IamCredentialsStandIn, type TokenCall } from './iam-credentials-stand-in.js';
