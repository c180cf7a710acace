// Break: cloud imports a capability (backup).
import { backupPlan } from '../backup/plan.js';

export const planned = () => backupPlan();
