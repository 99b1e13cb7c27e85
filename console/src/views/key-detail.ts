import type { Alias, KeyMetadata, KeyVersion } from "../../../gen/kms/v1/types_pb.js";
import { KeyState } from "../../../gen/kms/v1/types_pb.js";
import { type App, type Feedback, feedback } from "../app.js";
import { busy, type Child, field, h, replace } from "../dom.js";
import { dateLabel, isRotatable, specLabel, stateLabel, usageLabel } from "../format.js";

/** One key: its metadata, versions and aliases, and the lifecycle actions its state allows. */
export function keyDetailView(app: App, keyId: string): HTMLElement {
  const status = feedback(app);
  const body = h("div", { class: "detail" }, "Loading…");

  async function refresh(key?: KeyMetadata): Promise<void> {
    const [meta, versions, aliases] = await Promise.all([
      key ?? app.client.keys.describeKey({ keyId }).then((r) => r.key!),
      listVersions(app, keyId),
      app.client.keys.listAliases({ keyId, pageSize: 100 }).then((r) => r.aliases),
    ]);
    replace(body, details(meta), actions(app, meta, status, refresh), versionList(meta, versions), aliasList(aliases));
  }
  void refresh().catch(status.fail);

  return h(
    "section",
    { class: "view card" },
    h("a", { href: "#/keys", class: "back" }, "← All keys"),
    h("h2", {}, "Key ", h("span", { class: "mono" }, keyId)),
    status.el,
    body,
  );
}

async function listVersions(app: App, keyId: string): Promise<KeyVersion[]> {
  const out: KeyVersion[] = [];
  let pageToken = "";
  do {
    const page = await app.client.keys.listKeyVersions({ keyId, pageSize: 100, pageToken });
    out.push(...page.keyVersions);
    pageToken = page.nextPageToken;
  } while (pageToken && out.length < 1000);
  return out;
}

function details(key: KeyMetadata): HTMLElement {
  const rows: [string, Child, string][] = [
    ["State", stateLabel(key.keyState), "state"],
    ["Description", key.description || "(none)", "description"],
    ["Key type", specLabel(key.keySpec), "spec"],
    ["Usage", usageLabel(key.keyUsage), "usage"],
    ["ARN", h("span", { class: "mono" }, key.arn), "arn"],
    ["Created", dateLabel(key.createTime), "created"],
    ["Automatic rotation", key.automaticRotation ? `every ${key.rotationPeriodDays} days` : "off", "rotation"],
  ];
  if (key.keyState === KeyState.PENDING_DELETION) rows.push(["Deletion date", dateLabel(key.deletionTime), "deletion"]);
  return h(
    "dl",
    { class: "meta-list" },
    ...rows.flatMap(([term, value, name]) => [h("dt", {}, term), h("dd", { "data-field": name }, value)]),
  );
}

function actions(app: App, key: KeyMetadata, status: Feedback, refresh: (key?: KeyMetadata) => Promise<void>) {
  const keyId = key.keyId;
  const run = (button: HTMLButtonElement, done: string, call: () => Promise<{ key?: KeyMetadata | undefined }>) =>
    button.addEventListener("click", () => {
      status.clear();
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
    run(disable, "The key is disabled.", () => app.client.keys.disableKey({ keyId }));
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
    run(schedule, "Deletion is scheduled. You can cancel it until the deletion date.", () =>
      app.client.keys.scheduleKeyDeletion({ keyId, pendingWindowDays: Number(days.value) }),
    );
    box.append(h("div", { class: "inline" }, field("Days before deletion (7–30)", days), schedule));
  }
  return box;
}

function versionList(key: KeyMetadata, versions: KeyVersion[]): HTMLElement {
  return h(
    "div",
    {},
    h("h3", {}, `Versions (${versions.length})`),
    h(
      "ol",
      { class: "versions", id: "versions" },
      ...versions.map((v) =>
        h(
          "li",
          {},
          h("span", { class: "mono" }, v.keyVersionId),
          " ",
          h("small", {}, dateLabel(v.createTime)),
          v.keyVersionId === key.primaryKeyVersionId && h("strong", { class: "tag" }, "primary"),
        ),
      ),
    ),
  );
}

function aliasList(aliases: Alias[]): HTMLElement {
  return h(
    "div",
    {},
    h("h3", {}, "Aliases"),
    aliases.length
      ? h("ul", { class: "plain", id: "key-aliases" }, ...aliases.map((a) => h("li", { class: "mono" }, a.aliasName)))
      : h("p", {}, "None. Add one under ", h("a", { href: "#/aliases" }, "Aliases"), "."),
  );
}
