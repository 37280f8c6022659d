/**
 * The signed-in token's role (GET /api/v1/whoami), cached per token. The console hides actions
 * the role cannot perform; the server checks again on every call.
 */
import { useEffect, useState } from "react";
import { auth, get } from "../api.ts";

export type Role = "viewer" | "operator" | "admin";
export interface Whoami {
  tokenId: string;
  name: string;
  role: Role;
  scope: string;
  tenant: string;
}

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };
let cache: { token: string | null; promise: Promise<Whoami> } | undefined;

export function whoami(): Promise<Whoami> {
  if (!cache || cache.token !== auth.token) {
    const promise = get<Whoami>("/api/v1/whoami");
    cache = { token: auth.token, promise };
    promise.catch(() => (cache = undefined));
  }
  return cache.promise;
}

export function useWhoami(): Whoami | undefined {
  const [me, setMe] = useState<Whoami>();
  useEffect(() => {
    let live = true;
    whoami().then((w) => live && setMe(w)).catch(() => {});
    return () => void (live = false);
  }, []);
  return me;
}

export function atLeast(me: Whoami | undefined, role: Role): boolean {
  return !!me && RANK[me.role] >= RANK[role];
}

/** True when the signed-in token has at least `role` (false while unknown). */
export function useCan(role: Role): boolean {
  return atLeast(useWhoami(), role);
}
