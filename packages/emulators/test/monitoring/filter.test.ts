import { describe, expect, it } from 'vitest';
import { FilterError, parseFilter } from '../../src/monitoring/filter.js';
import { parseFilterText } from '../../src/monitoring/filter-grammar.js';

const series = (metric: Record<string, string>, resource: Record<string, string>) => ({
  metric: { type: 'loadbalancing.googleapis.com/https/request_count', labels: metric },
  resource: { type: 'https_lb_rule', labels: { project_id: 'p', ...resource } },
});
const lb = series(
  { response_code: '502', response_code_class: '500' },
  { url_map_name: 'gateway-lb', backend_target_name: 'k8s1-abc-default-public-gateway-poweb-80-def' },
);

// Examples from https://cloud.google.com/monitoring/api/v3/filters.
describe('the Monitoring filter language', () => {
  it('parses the documented matching functions and both label spellings', () => {
    const f = parseFilter(
      'metric.type = "loadbalancing.googleapis.com/https/request_count" AND resource.labels.url_map_name = one_of("gateway-lb", "other") AND resource.label.backend_target_name = has_substring("public-gateway-poweb") AND metric.labels.response_code = monitoring.regex.full_match("5[0-9]{2}")',
    );
    expect(f.metricType).toBe('loadbalancing.googleapis.com/https/request_count');
    expect(f.matches(lb)).toBe(true);
  });

  it('compares numbers as numbers, and has NOT, OR and parentheses', () => {
    const f = parseFilter(
      'metric.type = "loadbalancing.googleapis.com/https/request_count" AND (metric.labels.response_code_class >= 500 OR metric.labels.response_code = "429") AND NOT resource.labels.url_map_name = starts_with("staging-")',
    );
    expect(f.matches(lb)).toBe(true);
    expect(
      f.matches(series({ response_code: '200', response_code_class: '200' }, { url_map_name: 'gateway-lb' })),
    ).toBe(false);
  });

  it('binds NOT before AND before OR', () => {
    expect(parseFilterText('a = 1 OR b = 2 AND NOT c = 3')).toEqual({
      kind: 'or',
      terms: [
        { kind: 'compare', selector: 'a', op: '=', value: { kind: 'literal', value: 1 } },
        {
          kind: 'and',
          terms: [
            { kind: 'compare', selector: 'b', op: '=', value: { kind: 'literal', value: 2 } },
            { kind: 'not', term: { kind: 'compare', selector: 'c', op: '=', value: { kind: 'literal', value: 3 } } },
          ],
        },
      ],
    });
  });

  it('unescapes quoted strings', () => {
    expect(parseFilterText('metric.labels.path = "say \\"hi\\""')).toMatchObject({ value: { value: 'say "hi"' } });
  });

  it.each([
    ['no metric type', 'resource.type = "https_lb_rule"'],
    ['two metric types', 'metric.type = "a" OR metric.type = "b"'],
    ['a dangling AND', 'metric.type = "a" AND'],
    ['lower-case and', 'metric.type = "a" and resource.type = "b"'],
    ['an unknown selector', 'metric.type = "a" AND color = "red"'],
    ['a single-quoted string', "metric.type = 'a'"],
    ['an unknown function', 'metric.type = "a" AND metric.labels.x = contains("y")'],
  ])('refuses %s', (_why, filter) => {
    expect(() => parseFilter(filter)).toThrow(FilterError);
  });
});
