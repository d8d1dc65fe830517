/**
 * Notifications on this browser: permission, the service worker, the push
 * subscription and the device the server knows it by. The device id is kept
 * per user in localStorage so turning notifications off can delete it.
 */
import { applicationServerKey, pushApi } from './api.js';

export type PushState = 'unsupported' | 'denied' | 'off' | 'on';

const deviceKey = (userId: string) => `chat.pushDevice.${userId}`;

export function pushSupported(): boolean {
  return (
    typeof window !== 'undefined' && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window
  );
}

/** Whether this browser currently receives the user's notifications. */
export async function pushState(userId: string): Promise<PushState> {
  if (!pushSupported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  const registration = await navigator.serviceWorker.getRegistration('/');
  const subscription = await registration?.pushManager.getSubscription();
  return subscription && localStorage.getItem(deviceKey(userId)) ? 'on' : 'off';
}

/**
 * Asks for permission (call from a click: browsers require a user gesture),
 * subscribes with the server's key and registers the subscription.
 */
export async function enablePush(baseUrl: string, token: string, userId: string): Promise<PushState> {
  if (!pushSupported()) return 'unsupported';
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return permission === 'denied' ? 'denied' : 'off';
  const config = await pushApi.config(baseUrl, token);
  if (!config.webPushPublicKey) throw new Error('This server does not send web notifications.');
  await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  const registration = await navigator.serviceWorker.ready;
  const subscription =
    (await registration.pushManager.getSubscription()) ??
    (await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: applicationServerKey(config.webPushPublicKey),
    }));
  const { device } = await pushApi.register(baseUrl, token, subscription.toJSON());
  localStorage.setItem(deviceKey(userId), device.id);
  return 'on';
}

/** Deletes the device on the server and unsubscribes the browser. */
export async function disablePush(baseUrl: string, token: string, userId: string): Promise<PushState> {
  const deviceId = localStorage.getItem(deviceKey(userId));
  if (deviceId) await pushApi.remove(baseUrl, token, deviceId).catch(() => undefined);
  localStorage.removeItem(deviceKey(userId));
  const registration = pushSupported() ? await navigator.serviceWorker.getRegistration('/') : undefined;
  await (await registration?.pushManager.getSubscription())?.unsubscribe();
  return pushSupported() ? 'off' : 'unsupported';
}
