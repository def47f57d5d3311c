import { describe, expect, it } from 'vitest';
import { CliError, describeErrorBody, describeNetworkFailure, GatewayClient } from './gateway-client';

describe('gateway client errors', () => {
  it("passes on the gateway's own message, joining validation lists", () => {
    expect(describeErrorBody(400, 'Bad Request', JSON.stringify({ statusCode: 400, message: ['source.path must be an absolute path', 'rpoMinutes must be an integer'] })))
      .toBe('source.path must be an absolute path; rpoMinutes must be an integer');
    expect(describeErrorBody(404, 'Not Found', JSON.stringify({ statusCode: 404, message: 'snapshot abc not found' }))).toBe('snapshot abc not found');
  });

  it('falls back to the status for bodies that are not the gateway\'s JSON', () => {
    expect(describeErrorBody(502, 'Bad Gateway', '<html>nginx</html>')).toBe('the gateway answered 502 Bad Gateway');
    expect(describeErrorBody(500, 'Internal Server Error', 'boom\nstack')).toBe('the gateway answered 500 Internal Server Error: boom');
  });

  it("finds the network reason fetch hides in its cause", () => {
    expect(describeNetworkFailure(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }))).toBe('connection refused');
    expect(describeNetworkFailure(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } }))).toBe('host not found');
    expect(describeNetworkFailure(Object.assign(new Error('x'), { name: 'TimeoutError' }))).toBe('no answer in time');
  });

  it('rejects a URL that is not http(s) before trying it', () => {
    expect(() => new GatewayClient('localhost:3000')).toThrow(CliError);
    expect(() => new GatewayClient('localhost:3000')).toThrow(/not a gateway URL; give one like http:\/\/localhost:3000/);
    expect(new GatewayClient('http://gw:3000//').baseUrl).toBe('http://gw:3000');
  });
});
