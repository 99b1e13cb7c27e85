import { keyArn } from "../../core/keys/key-id.js";
import { scheduleKeyDeletion as coreSchedule } from "../../core/keys/key-state.js";
import { epochSeconds } from "../json.js";
import type { Operation } from "./operation.js";

const DEFAULT_WINDOW_DAYS = 30;

/** `ScheduleKeyDeletion`: 7..30 days, default 30 (core checks the range with AWS's wording). */
export const scheduleKeyDeletion: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  const days = m.integer("PendingWindowInDays");
  return async ({ deps, call }) => {
    const key = await coreSchedule(deps, call, keyId, days);
    return {
      KeyId: keyArn(deps, key.id),
      DeletionDate: key.deletionAt ? epochSeconds(key.deletionAt) : undefined,
      KeyState: key.state,
      PendingWindowInDays: days || DEFAULT_WINDOW_DAYS,
    };
  };
};
