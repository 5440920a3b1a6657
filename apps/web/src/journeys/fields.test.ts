import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { publishIssues } from './api';
import { parseJsonField, parseList } from './fields';

describe('free-text fields', () => {
  it('reads JSON, nothing for an empty field, and an error for bad JSON', () => {
    expect(parseJsonField(' {"all": []} ')).toEqual({ all: [] });
    expect(parseJsonField('   ')).toBeUndefined();
    expect(parseJsonField('{all: []}')).toBeInstanceOf(Error);
  });

  it('splits a comma-separated list, dropping blanks', () => {
    expect(parseList(' vip, new ,, ')).toEqual(['vip', 'new']);
    expect(parseList('')).toEqual([]);
  });
});

describe('publishIssues', () => {
  it('lists the problems of a refused publish, and nothing for other errors', () => {
    const issues = [{ path: 'definition.nodes.send.templateKey', node: 'send', message: 'needs content' }];
    const refused = new ApiError(400, 'invalid_definition', 'invalid', 'definition.nodes.send', null, { issues });
    expect(publishIssues(refused)).toEqual(issues);
    expect(publishIssues(new ApiError(400, 'invalid_definition', 'invalid'))).toEqual([]);
    expect(publishIssues(new ApiError(409, 'archived', 'archived'))).toBeNull();
    expect(publishIssues(new Error('network'))).toBeNull();
  });
});
