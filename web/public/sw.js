/*
 * The chat's service worker: shows the server's push notifications (the JSON
 * PushPayload of src/protocol/push.ts) and opens the conversation on a click.
 * One notification per conversation (tag): a newer one replaces the older.
 */
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let payload = null;
  try {
    payload = event.data ? event.data.json() : null;
  } catch {
    payload = null;
  }
  const title = payload && typeof payload.title === 'string' ? payload.title : 'New messages';
  const options = {
    body: payload && typeof payload.body === 'string' ? payload.body : '',
    tag: payload?.conversationId ? `conversation:${payload.conversationId}` : 'chat',
    renotify: true,
    icon: '/favicon.svg',
    data: {
      conversationId: payload ? payload.conversationId : null,
      messageId: payload ? payload.messageId : null,
    },
  };
  const badge = payload && Number.isInteger(payload.badge) ? payload.badge : null;
  event.waitUntil(
    Promise.all([
      self.registration.showNotification(title, options),
      badge !== null && self.navigator.setAppBadge ? self.navigator.setAppBadge(badge).catch(() => {}) : null,
    ]),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const conversationId = event.notification.data?.conversationId;
  const path = conversationId ? `/c/${encodeURIComponent(conversationId)}` : '/';
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
      if (open) {
        // The app reads the conversation from the URL (/c/{id}) when it loads.
        const target = new URL(path, self.location.origin).href;
        const focused = open.focus();
        return open.url === target ? focused : focused.then((client) => client.navigate(target));
      }
      return self.clients.openWindow(path);
    }),
  );
});
