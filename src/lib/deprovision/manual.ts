import type { DeprovisionInventory } from './inventory.js';
import { gsUrl } from '../config/gs-url.js';

/** A step only a human (or another pipeline) can take, with the exact commands. */
export interface ManualStep {
  id: string;
  title: string;
  commands: string[];
}

/** What remains after gwctl's part (the deployment trigger included): let the buckets empty, then Terraform. */
export function manualSteps(inv: Pick<DeprovisionInventory, 'env' | 'buckets'>, varFile?: string): ManualStep[] {
  const tfvars = varFile ?? '<the environment’s .tfvars>';
  const present = inv.buckets.filter((b) => b.settings);
  return [
    {
      id: 'wait-for-empty-buckets',
      title:
        'Wait until every bucket is empty: lifecycle rules run about once a day, and Terraform cannot delete a bucket that still holds objects',
      commands: [
        `gwctl env status ${inv.env}`,
        ...present.map((b) => `gcloud storage ls --all-versions --recursive ${gsUrl(b.name)} | head`),
      ],
    },
    {
      id: 'terraform-destroy',
      title:
        'Destroy the infrastructure with Terraform, from the environment’s root module, once prevent_destruction = false is committed',
      commands: [`terraform apply -var-file=${tfvars}`, `terraform destroy -var-file=${tfvars}`],
    },
    {
      id: 'verify',
      title: 'Check that nothing is left',
      commands: [`gwctl env status ${inv.env}`],
    },
  ];
}
