import type { Feedback } from "./app.js";
import { busy, h } from "./dom.js";

/**
 * Asks before a destructive action, in a modal `<dialog>`: the browser traps focus in it, Escape
 * cancels, and the safe choice has the focus, so Enter alone never destroys anything.
 * Resolves true only when the person chose `action`.
 */
export function confirmAction(question: string, detail: string, action: string): Promise<boolean> {
  const cancel = h("button", { type: "button", class: "secondary", value: "cancel" }, "Cancel");
  const confirm = h("button", { type: "button", class: "danger", value: "confirm" }, action);
  const dialog = h(
    "dialog",
    { class: "confirm", "aria-labelledby": "confirm-title" },
    h("h2", { id: "confirm-title" }, question),
    h("p", {}, detail),
    h("div", { class: "actions" }, cancel, confirm),
  );
  document.body.append(dialog);
  return new Promise((resolve) => {
    const done = (yes: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(yes);
    };
    cancel.addEventListener("click", () => done(false));
    confirm.addEventListener("click", () => done(true));
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      done(false);
    });
    dialog.showModal();
    cancel.focus();
  });
}

/** What a destructive button asks before it acts. */
export interface Question {
  question: string;
  detail: string;
  /** The confirming button's label, the same verb as the action ("Delete"). */
  action: string;
}

/**
 * Wires a destructive button: on click it clears `status`, asks `ask()`, and only after a yes
 * runs `act` with the button busy, its failure shown in `status`.
 */
export function onConfirmedClick(
  button: HTMLButtonElement,
  status: Pick<Feedback, "clear" | "fail">,
  ask: () => Question,
  act: () => Promise<void>,
): void {
  button.addEventListener("click", async () => {
    status.clear();
    const q = ask();
    if (!(await confirmAction(q.question, q.detail, q.action))) return;
    void busy(button, act, status.fail);
  });
}
