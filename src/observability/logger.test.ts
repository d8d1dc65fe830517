/** No secrets in logs: tokens, passwords and push keys are redacted wherever they appear. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger, redactUrl } from './logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger('info', stream), text: () => lines.join('') };
}

describe('logger redaction', () => {
  it('hides passwords, tokens, authorization headers, push keys and ?token= in URLs', () => {
    const { logger, text } = capture();
    logger.info({ password: 'hunter2-password', body: { password: 'pw-in-body', token: 'tok-in-body' } }, 'register');
    logger.info({ req: { method: 'GET', url: '/api/v1/ws?token=eyJsecret.jwt&deviceId=a' } }, 'upgrade');
    logger.info({ headers: { authorization: 'Bearer eyJheader.secret' } }, 'request');
    logger.info({ url: '/api/v1/ws?deviceId=x&token=eyJurl.secret' }, 'failed');
    logger.info(
      { device: { subscription: { endpoint: 'https://push.example/1', keys: { auth: 'auth-secret' } } } },
      'device',
    );
    logger.info({ token: 'top-level-token', secret: 'top-secret' }, 'tokens');
    const out = text();
    for (const secret of [
      'hunter2-password',
      'pw-in-body',
      'tok-in-body',
      'eyJsecret.jwt',
      'eyJheader.secret',
      'eyJurl.secret',
      'auth-secret',
      'top-level-token',
      'top-secret',
    ]) {
      assert.ok(!out.includes(secret), `${secret} reached the log`);
    }
    assert.ok(out.includes('[redacted]'));
    assert.ok(out.includes('deviceId=a'), 'the rest of the URL stays');
  });

  it('redactUrl leaves URLs without a token alone', () => {
    assert.equal(redactUrl('/api/v1/users/me?search=tok'), '/api/v1/users/me?search=tok');
    assert.equal(redactUrl('/x?access_token=abc'), '/x?access_token=[redacted]');
  });
});
