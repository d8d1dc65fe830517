/** Uploads in progress or failed, shown as pending bubbles at the end of their chat. */
import { useSyncExternalStore } from 'react';

export interface UploadItem {
  key: string;
  conversationId: string;
  fileName: string;
  size: number;
  /** 0…1 */
  progress: number;
  error: string | null;
  abort(): void;
}

let items: UploadItem[] = [];
const listeners = new Set<() => void>();
let counter = 0;

function emit(): void {
  for (const listener of listeners) listener();
}

export const uploads = {
  add(item: Omit<UploadItem, 'key' | 'progress' | 'error'>): string {
    counter += 1;
    const key = `upload-${counter}`;
    items = [...items, { ...item, key, progress: 0, error: null }];
    emit();
    return key;
  },
  update(key: string, patch: Partial<Pick<UploadItem, 'progress' | 'error'>>): void {
    items = items.map((i) => (i.key === key ? { ...i, ...patch } : i));
    emit();
  },
  remove(key: string): void {
    items = items.filter((i) => i.key !== key);
    emit();
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  snapshot(): UploadItem[] {
    return items;
  },
};

const EMPTY: UploadItem[] = [];
let lastAll: UploadItem[] | null = null;
let lastFor = '';
let lastResult: UploadItem[] = EMPTY;

function forConversation(conversationId: string): UploadItem[] {
  if (items === lastAll && conversationId === lastFor) return lastResult;
  lastAll = items;
  lastFor = conversationId;
  const found = items.filter((i) => i.conversationId === conversationId);
  lastResult = found.length ? found : EMPTY;
  return lastResult;
}

export function useUploads(conversationId: string): UploadItem[] {
  return useSyncExternalStore(uploads.subscribe, () => forConversation(conversationId));
}
