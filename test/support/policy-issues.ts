import { parsePolicy, PolicyFileError } from '../../policy';

/** The load errors of a policy text, one per line (`policy.yaml:3: field: message`); none when it loads. */
export function policyIssues(text: string): string[] {
  try {
    parsePolicy(text, 'policy.yaml');
  } catch (err) {
    if (err instanceof PolicyFileError) return err.message.split('\n');
    throw err;
  }
  return [];
}
