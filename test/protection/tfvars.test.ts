import { describe, expect, it } from 'vitest';
import { readVarSetting, setVarSetting } from '../../src/lib/protection/tfvars.js';

const TFVARS = `# Terraform variables for the prod gateway.
project_id          = "relaycorp-gateway-prod" # the GCP project
region              = "europe-west1"

labels = {
  prevent_destruction = "not-this-one"
}

/* Older setting, kept for reference:
prevent_destruction = false
*/
description = <<EOT
prevent_destruction = false
EOT

# Refuse \`terraform destroy\` while true.
prevent_destruction = true   # flipped by gwctl
mongodb_uri_secret  = "projects/x/secrets/\${var.env}-mongodb"
`;

describe('the Terraform var file (.tfvars)', () => {
  it('reads only the top-level prevent_destruction, not keys in objects, comments or heredocs', () => {
    expect(readVarSetting(TFVARS, 'hcl')).toEqual({ value: true, line: 17 });
  });

  it('unprotect edits the value in place and keeps every comment, line and alignment', () => {
    const after = setVarSetting(TFVARS, 'hcl', false);
    expect(after).toBe(
      TFVARS.replace(
        'prevent_destruction = true   # flipped by gwctl',
        'prevent_destruction = false   # flipped by gwctl',
      ),
    );
    expect(readVarSetting(after, 'hcl').value).toBe(false);
    expect(setVarSetting(after, 'hcl', true)).toBe(TFVARS);
  });

  it('adds the line when the file does not set it, leaving the rest untouched', () => {
    const without = 'project_id = "p"\n# trailing comment\n';
    const after = setVarSetting(without, 'hcl', true);
    expect(after.startsWith(without)).toBe(true);
    expect(after).toMatch(/\nprevent_destruction = true\n$/);
    expect(readVarSetting(without, 'hcl').value).toBeUndefined();
    expect(readVarSetting(after, 'hcl').value).toBe(true);
    expect(setVarSetting('project_id = "p"', 'hcl', false)).toMatch(
      /^project_id = "p"\n\n# .*\nprevent_destruction = false\n$/,
    );
  });

  it('keeps quotes and Windows line endings as they were', () => {
    const crlf = 'a = 1\r\nprevent_destruction = "false"\r\nb = 2\r\n';
    expect(readVarSetting(crlf, 'hcl').value).toBe(false);
    expect(setVarSetting(crlf, 'hcl', true)).toBe('a = 1\r\nprevent_destruction = "true"\r\nb = 2\r\n');
  });

  it('refuses a file that sets it twice or to something that is not a bool', () => {
    expect(() =>
      readVarSetting('prevent_destruction = true\nprevent_destruction = false\n', 'hcl', 'x.tfvars'),
    ).toThrow(/set 2 times \(lines 1, 2\)/);
    expect(() => readVarSetting('prevent_destruction = 1\n', 'hcl', 'x.tfvars')).toThrow(
      /x\.tfvars:1: prevent_destruction must be true or false/,
    );
  });
});

describe('the Terraform var file (.tfvars.json)', () => {
  it('sets the key and keeps key order, indentation and the final newline', () => {
    const json = '{\n    "project_id": "p",\n    "prevent_destruction": true,\n    "region": "r"\n}\n';
    expect(readVarSetting(json, 'json').value).toBe(true);
    expect(setVarSetting(json, 'json', false)).toBe(
      '{\n    "project_id": "p",\n    "prevent_destruction": false,\n    "region": "r"\n}\n',
    );
    expect(setVarSetting('{"a": 1}', 'json', true)).toBe('{\n  "a": 1,\n  "prevent_destruction": true\n}');
  });

  it('rejects a file that is not one JSON object', () => {
    expect(() => readVarSetting('[1]', 'json', 'x.tfvars.json')).toThrow(/one JSON object/);
    expect(() => readVarSetting('{', 'json', 'x.tfvars.json')).toThrow(/not valid JSON/);
  });
});
