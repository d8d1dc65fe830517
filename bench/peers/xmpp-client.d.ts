/** The slice of @xmpp/client (plain JavaScript, no bundled types) the ejabberd peer uses. */
declare module '@xmpp/client' {
  export function client(options: {
    service: string;
    domain?: string;
    username?: string;
    password?: string;
    resource?: string;
  }): unknown;
  export function xml(name: string, attrs?: Record<string, string>, ...children: unknown[]): unknown;
}
