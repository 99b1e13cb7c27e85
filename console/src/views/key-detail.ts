import type { Alias, KeyMetadata, KeyVersion } from "../../../gen/kms/v1/types_pb.js";
import { KeyState } from "../../../gen/kms/v1/types_pb.js";
import { type App, type Feedback, feedback } from "../app.js";
import { confirmAction } from "../confirm.js";
import { copyable } from "../copy.js";
import { busy, type Child, field, h, replace } from "../dom.js";
import { dateLabel, isRotatable, specLabel, stateLabel, usageLabel } from "../format.js";
import { listAll } from "../list-all.js";
import { keyActivity } from "./key-activity.js";
import { keyGrants } from "./key-grants.js";
import { keyPolicy } from "./key-policy.js";
import { keyRotation } from "./key-rotation.js";
import { keyTags } from "./key-tags.js";

/**
 * One key: its metadata, lifecycle actions, policy, grants, tags, rotation, versions, aliases and
 * recent activity. When the key cannot be read the page says why (with the request id) and shows
 * nothing else, rather than a "Loading…" that never ends.
 */
export function keyDetailView(app: App, keyId: string): HTMLElement {
  const status = feedback(app);
  const body = h("div", { class: "detail", "aria-busy": "true" }, "Loading…");

  async function refresh(key?: KeyMetadata): Promise<void> {
    const [meta, versions, aliases] = await Promise.all([
      key ?? app.client.keys.describeKey({ keyId }).then((r) => r.key!),
      listAll(
        (pageToken) =>
          app.client.keys
            .listKeyVersions({ keyId, pageSize: 1000, pageToken })
            .then((p) => [p.keyVersions, p.nextPageToken] as const),
        1000,
      ),
      app.client.keys.listAliases({ keyId, pageSize: 100 }).then((r) => r.aliases),
    ]);
    const onChange = async (updated?: KeyMetadata) => refresh(updated);
    replace(
      body,
      details(meta),
      actions(app, meta, status, refresh),
      keyRotation(app, meta, onChange),
      keyTags(app, meta, onChange),
      keyPolicy(app, meta.keyId),
      keyGrants(app, meta.keyId),
      versionList(meta, versions),
      aliasList(aliases),
      keyActivity(app, meta.keyId),
    );
    body.removeAttribute("aria-busy");
  }
  void refresh().catch((err: unknown) => {
    replace(body, h("p", { class: "meta" }, "This key could not be shown."));
    body.removeAttribute("aria-busy");
    status.fail(err);
  });

  return h(
    "section",
    { class: "view card" },
    h("a", { href: "#/keys", class: "back" }, "← All keys"),
    h("h2", {}, "Key ", h("span", { class: "mono" }, keyId)),
    status.el,
    body,
  );
}

function details(key: KeyMetadata): HTMLElement {
  const rows: [string, Child, string][] = [
    ["Key ID", copyable(key.keyId, "key ID"), "key-id"],
    ["State", stateLabel(key.keyState), "state"],
    ["Description", key.description || "(none)", "description"],
    ["Key type", specLabel(key.keySpec), "spec"],
    ["Usage", usageLabel(key.keyUsage), "usage"],
    ["ARN", copyable(key.arn, "ARN"), "arn"],
    ["Created", dateLabel(key.createTime), "created"],
  ];
  if (key.keyState === KeyState.PENDING_DELETION) rows.push(["Deletion date", dateLabel(key.deletionTime), "deletion"]);
  return h(
    "dl",
    { class: "meta-list" },
    ...rows.flatMap(([term, value, name]) => [h("dt", {}, term), h("dd", { "data-field": name }, value)]),
  );
}

type Refresh = (key?: KeyMetadata) => Promise<void>;

function actions(app: App, key: KeyMetadata, status: Feedback, refresh: Refresh) {
  const keyId = key.keyId;
  const run = (
    button: HTMLButtonElement,
    done: string,
    call: () => Promise<{ key?: KeyMetadata | undefined }>,
    ask?: () => Promise<boolean>,
  ) =>
    button.addEventListener("click", async () => {
      status.clear();
      if (ask && !(await ask())) return;
      void busy(
        button,
        async () => {
          const { key: updated } = await call();
          await refresh(updated);
          status.ok(done);
        },
        status.fail,
      );
    });
  const box = h("div", { class: "actions" });
  const pending = key.keyState === KeyState.PENDING_DELETION;
  if (key.keyState === KeyState.ENABLED) {
    const disable = h("button", { type: "button", class: "secondary" }, "Disable");
    run(
      disable,
      "The key is disabled.",
      () => app.client.keys.disableKey({ keyId }),
      () =>
        confirmAction(
          "Disable this key?",
          "Every encryption, decryption and signature with it is refused until you enable it again.",
          "Disable",
        ),
    );
    box.append(disable);
  } else if (key.keyState === KeyState.DISABLED) {
    const enable = h("button", { type: "button" }, "Enable");
    run(enable, "The key is enabled.", () => app.client.keys.enableKey({ keyId }));
    box.append(enable);
  }
  if (isRotatable(key.keySpec) && !pending) {
    const rotate = h("button", { type: "button", class: "secondary" }, "Rotate now");
    run(rotate, "The key has a new version.", () => app.client.keys.rotateKey({ keyId }));
    box.append(rotate);
  }
  if (pending) {
    const cancel = h("button", { type: "button" }, "Cancel deletion");
    run(cancel, "Deletion is cancelled; the key is disabled until you enable it.", () =>
      app.client.keys.cancelKeyDeletion({ keyId }),
    );
    box.append(cancel);
  } else {
    const days = h("input", { type: "number", name: "pendingWindowDays", min: "7", max: "30", value: "30" });
    const schedule = h("button", { type: "button", class: "danger" }, "Schedule deletion");
    run(
      schedule,
      "Deletion is scheduled. You can cancel it until the deletion date.",
      () => app.client.keys.scheduleKeyDeletion({ keyId, pendingWindowDays: Number(days.value) }),
      () =>
        confirmAction(
          "Schedule this key's deletion?",
          `In ${days.value} days the key and all its versions are destroyed, and nothing encrypted under it can be decrypted again. Until then you can cancel.`,
          "Schedule deletion",
        ),
    );
    box.append(h("div", { class: "inline" }, field("Days before deletion (7–30)", days), schedule));
  }
  return box;
}

function versionList(key: KeyMetadata, versions: KeyVersion[]): HTMLElement {
  return h(
    "div",
    { class: "block" },
    h("h3", {}, `Versions (${versions.length})`),
    h(
      "p",
      { class: "meta" },
      "Each version is its own key material; its id names it in ciphertexts and the audit trail.",
    ),
    h(
      "ol",
      { class: "versions", id: "versions" },
      ...versions.map((v) =>
        h(
          "li",
          {},
          copyable(v.keyVersionId, "version ID"),
          " ",
          h("small", {}, dateLabel(v.createTime)),
          v.keyVersionId === key.primaryKeyVersionId && h("strong", { class: "tag" }, "primary"),
          v.keyVersionId === key.initialKeyVersionId && h("strong", { class: "badge" }, "initial"),
        ),
      ),
    ),
  );
}

function aliasList(aliases: Alias[]): HTMLElement {
  return h(
    "div",
    { class: "block" },
    h("h3", {}, "Aliases"),
    aliases.length
      ? h("ul", { class: "plain", id: "key-aliases" }, ...aliases.map((a) => h("li", { class: "mono" }, a.aliasName)))
      : h("p", {}, "None. Add one under ", h("a", { href: "#/aliases" }, "Aliases"), "."),
  );
}
