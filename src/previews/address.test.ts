/** The address classifier, the URL rules and the target policy of link previews. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../config/config.js';
import { ipv6Groups, refusalOf } from './address.js';
import { decodeHtml, parsePageMeta } from './html.js';
import { parseAllowList, RefusedTarget, resolveTarget } from './target.js';
import { cacheKey, firstUrl } from './url.js';

describe('refusalOf', () => {
  const refused: [string, RegExp][] = [
    ['127.0.0.1', /loopback/],
    ['127.255.255.254', /loopback/],
    ['10.0.0.1', /private/],
    ['10.255.255.255', /private/],
    ['172.16.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.168.1.1', /private/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['100.127.255.255', /carrier-grade NAT/],
    ['169.254.169.254', /link-local/],
    ['0.0.0.0', /unspecified/],
    ['0.1.2.3', /unspecified/],
    ['224.0.0.1', /multicast/],
    ['239.255.255.250', /multicast/],
    ['255.255.255.255', /reserved/],
    ['240.0.0.1', /reserved/],
    ['198.18.0.1', /benchmarking/],
    ['192.0.2.10', /documentation/],
    ['::1', /loopback/],
    ['0:0:0:0:0:0:0:1', /loopback/],
    ['[::1]', /loopback/],
    ['::', /unspecified/],
    ['fe80::1', /link-local/],
    ['febf:ffff::1', /link-local/],
    ['fe80::1%eth0', /zone/],
    ['fc00::1', /unique-local/],
    ['fd12:3456:789a::1', /unique-local/],
    ['ff02::1', /multicast/],
    ['ff0e::1', /multicast/],
    ['::ffff:127.0.0.1', /IPv4-mapped.*loopback/],
    ['::ffff:7f00:1', /IPv4-mapped.*loopback/],
    ['::FFFF:10.1.2.3', /IPv4-mapped.*private/],
    ['::ffff:169.254.169.254', /link-local/],
    ['::ffff:0.0.0.0', /unspecified/],
    ['::127.0.0.1', /IPv4-mapped or -compatible.*loopback/],
    ['::10.0.0.1', /private/],
    ['::ffff:0:192.168.0.1', /translated.*private/],
    ['64:ff9b::10.0.0.1', /NAT64.*private/],
    ['64:ff9b::7f00:1', /NAT64.*loopback/],
    ['64:ff9b:1::1', /local-use NAT64/],
    ['2002:7f00:1::', /6to4.*loopback/],
    ['2002:c0a8:101::1', /6to4.*private/],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', /Teredo.*loopback/],
    ['2001:0:4136:e378:8000:63bf:f5ff:fffe', /Teredo.*private/],
    ['2001:db8::1', /documentation/],
    ['100::1', /discard/],
    ['fec0::1', /site-local/],
    ['4000::1', /reserved/],
    ['localhost', /not an IP/],
    ['example.com', /not an IP/],
    ['1.2.3', /not an IP/],
    ['', /not an IP/],
  ];
  for (const [address, why] of refused) {
    it(`refuses ${JSON.stringify(address)}`, () => {
      const refusal = refusalOf(address);
      assert.ok(refusal, `${address} was allowed`);
      assert.match(refusal, why);
    });
  }

  const allowed = [
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '172.15.255.255',
    '172.32.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '192.169.0.1',
    '11.0.0.1',
    '126.255.255.255',
    '128.0.0.1',
    '223.255.255.255',
    '2606:4700:4700::1111',
    '2001:4860:4860::8888',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
    '2002:808:808::1',
  ];
  for (const address of allowed) {
    it(`allows ${address}`, () => {
      assert.equal(refusalOf(address), null);
    });
  }

  it('expands every IPv6 spelling to the same groups', () => {
    const expected = [0, 0, 0, 0, 0, 0xffff, 0x7f00, 1];
    for (const text of ['::ffff:127.0.0.1', '::ffff:7f00:1', '0:0:0:0:0:ffff:7f00:1', '0::ffff:127.0.0.1']) {
      assert.deepEqual(ipv6Groups(text), expected, text);
    }
    assert.deepEqual(ipv6Groups('1::'), [1, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(ipv6Groups('1:2:3:4:5:6:7:8:9'), null);
    assert.equal(ipv6Groups('1::2::3'), null);
  });
});

describe('resolveTarget', () => {
  const policy = { allowPrivate: new Set<string>() };
  const url = (text: string) => new URL(text);

  it('refuses other schemes', async () => {
    for (const text of ['ftp://8.8.8.8/', 'file:///etc/passwd', 'gopher://8.8.8.8/', 'data:text/html,hi']) {
      await assert.rejects(resolveTarget(url(text), policy), RefusedTarget, text);
    }
  });

  it('refuses private literals in every spelling the URL parser accepts', async () => {
    // The WHATWG parser turns these into 127.0.0.1 or 10.0.0.1 before we look.
    for (const text of [
      'http://127.0.0.1/',
      'http://2130706433/',
      'http://0x7f.1/',
      'http://0177.0.0.1/',
      'http://127.1/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:a00:1]/',
      'http://10.0.0.1:8080/',
      'https://169.254.169.254/latest/meta-data/',
      'http://[fe80::1]/',
    ]) {
      await assert.rejects(resolveTarget(url(text), policy), RefusedTarget, text);
    }
  });

  it('refuses a name when any of its answers is private, and checks the real resolver', async () => {
    const mixed = {
      allowPrivate: new Set<string>(),
      resolve: async () => [
        { address: '8.8.8.8', family: 4 },
        { address: '10.0.0.7', family: 4 },
      ],
    };
    await assert.rejects(resolveTarget(url('http://mixed.example/'), mixed), /10\.0\.0\.7, a private/);
    // The machine's own resolver: localhost is loopback.
    await assert.rejects(resolveTarget(url('http://localhost:8080/'), policy), /loopback/);
    const pub = { allowPrivate: new Set<string>(), resolve: async () => [{ address: '2606:4700::1', family: 6 }] };
    const target = await resolveTarget(url('https://public.example/x'), pub);
    assert.deepEqual([target.address, target.family, target.port], ['2606:4700::1', 6, 443]);
  });

  it('lets through exactly the allow-listed address and port, never a name for it', async () => {
    const allowPrivate = parseAllowList(['127.0.0.1:8081', '[::1]:9000']);
    assert.deepEqual([...allowPrivate], ['127.0.0.1:8081', '[::1]:9000']);
    const open = { allowPrivate };
    assert.equal((await resolveTarget(url('http://127.0.0.1:8081/a'), open)).address, '127.0.0.1');
    assert.equal((await resolveTarget(url('http://[::1]:9000/'), open)).address, '::1');
    await assert.rejects(resolveTarget(url('http://127.0.0.1:8082/'), open), RefusedTarget);
    await assert.rejects(resolveTarget(url('http://127.0.0.1/'), open), RefusedTarget);
    await assert.rejects(resolveTarget(url('http://localhost:8081/'), open), RefusedTarget);
    assert.throws(() => parseAllowList(['localhost:8081']), /not an IP address/);
    assert.throws(() => parseAllowList(['127.0.0.1']), /with a port/);
    assert.deepEqual(
      [...parseAllowList(['127.0.0.1:80', '[::ffff:127.0.0.1]:443'])],
      ['127.0.0.1:80', '[::ffff:7f00:1]:443'],
    );
    // A bad entry stops start-up with the variable named.
    assert.throws(
      () => loadConfig({ CHAT_LINK_PREVIEW_UNSAFE_ALLOW: '127.0.0.1:80, example.com:80' }),
      (err: unknown) =>
        err instanceof ConfigError && /CHAT_LINK_PREVIEW_UNSAFE_ALLOW: "example.com:80"/.test(err.message),
    );
    assert.deepEqual(loadConfig({ CHAT_LINK_PREVIEW_UNSAFE_ALLOW: ' 127.0.0.1:80 ,' }).CHAT_LINK_PREVIEW_UNSAFE_ALLOW, [
      '127.0.0.1:80',
    ]);
    assert.equal(loadConfig({}).CHAT_LINK_PREVIEWS, true);
    assert.equal(loadConfig({ CHAT_LINK_PREVIEWS: 'off' }).CHAT_LINK_PREVIEWS, false);
    assert.throws(() => loadConfig({ CHAT_LINK_PREVIEWS: 'maybe' }), /CHAT_LINK_PREVIEWS/);
  });
});

describe('firstUrl', () => {
  it('finds the first http(s) link, without the punctuation around it', () => {
    const cases: [string, string | null][] = [
      ['see https://example.com/a.', 'https://example.com/a'],
      ['(https://example.com/wiki/Foo_(bar)) end', 'https://example.com/wiki/Foo_(bar)'],
      ['"http://Example.COM:80/x?y=1#frag", ok', 'http://example.com/x?y=1'],
      ['ftp://a.example/ then https://b.example/!', 'https://b.example/'],
      ['https://user:pw@secret.example/ https://ok.example/', 'https://ok.example/'],
      ['no link here', null],
      ['javascript:alert(1)', null],
    ];
    for (const [text, expected] of cases) {
      const found = firstUrl(text);
      assert.equal(found ? cacheKey(found) : null, expected, text);
    }
  });
});

describe('parsePageMeta', () => {
  it('prefers Open Graph, falls back to <title> and meta description, decodes entities, ignores the body', () => {
    const og = parsePageMeta(`<html><head><title>Plain</title>
      <meta property="og:title" content="OG &amp; title"><meta name="description" content="plain desc">
      <meta property="og:description" content="  OG\n  description "><meta property="og:image" content="/i.png">
      </head><body><meta property="og:title" content="late"></body></html>`);
    assert.deepEqual(og, { title: 'OG & title', description: 'OG description', image: '/i.png' });
    const plain = parsePageMeta(
      '<title>Only &lt;title&gt;</title><meta name="Description" content="From meta"><body><title>no</title>',
    );
    assert.deepEqual(plain, { title: 'Only <title>', description: 'From meta', image: null });
    assert.deepEqual(parsePageMeta('<p>nothing</p>'), { title: null, description: null, image: null });
    assert.equal(parsePageMeta(`<title>${'x'.repeat(5000)}</title>`).title?.length, 300);
  });

  it('decodes by the header charset, else the meta charset of the page, else UTF-8', () => {
    const latin1 = Buffer.from('<meta charset="iso-8859-1"><title>Caf\u00e9</title>', 'latin1');
    assert.equal(parsePageMeta(decodeHtml(latin1, null)).title, 'Café');
    const httpEquiv = Buffer.from(
      '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><title>na\u00efve</title>',
      'latin1',
    );
    assert.equal(parsePageMeta(decodeHtml(httpEquiv, null)).title, 'na\u00efve');
    assert.equal(parsePageMeta(decodeHtml(latin1, 'utf-8')).title, 'Caf\ufffd', 'the header wins');
    assert.equal(decodeHtml(Buffer.from('h\u00e9', 'utf8'), 'no-such-charset'), 'h\u00e9');
    assert.equal(decodeHtml(Buffer.from('h\u00e9', 'utf8'), null), 'h\u00e9');
  });
});
