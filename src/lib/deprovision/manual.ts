import type { DeprovisionInventory } from './inventory.js';

/** A step only a human (or another pipeline) can take, with the exact commands. */
export interface ManualStep {
  id: string;
  title: string;
  commands: string[];
}

/** What remains after gwctl's part: stop redeploys, let the buckets empty, then Terraform. */
export function manualSteps(
  inv: Pick<DeprovisionInventory, 'env' | 'project' | 'region' | 'buckets'>,
  varFile?: string,
): ManualStep[] {
  const loc = `--project=${inv.project} --region=${inv.region}`;
  const tfvars = varFile ?? '<the environment’s .tfvars>';
  const present = inv.buckets.filter((b) => b.settings);
  return [
    {
      id: 'disable-deployment-trigger',
      title:
        'Disable the deployment trigger, so CI does not redeploy the gateway (do this before, or right after, the run)',
      commands: [
        `gcloud builds triggers list ${loc}`,
        `gcloud builds triggers export TRIGGER ${loc} --destination=trigger.yaml`,
        `# set "disabled: true" in trigger.yaml, then:`,
        `gcloud builds triggers import ${loc} --source=trigger.yaml`,
      ],
    },
    {
      id: 'wait-for-empty-buckets',
      title:
        'Wait until every bucket is empty: lifecycle rules run about once a day, and Terraform cannot delete a bucket that still holds objects',
      commands: [
        `gwctl env status ${inv.env}`,
        ...present.map((b) => `gcloud storage ls --all-versions --recursive gs://${b.name} | head`),
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
