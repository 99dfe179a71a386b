/**
 * Lets a worker hear messages (such as cancel) while it generates. WASM
 * inference resolves its promises without ever returning to the event loop,
 * so a `cancel` message would sit in the queue until `generate()` ended;
 * yielding one macrotask per decoding step lets it through between tokens.
 */
import type { PreTrainedModel } from '@huggingface/transformers';

/** Resolves on the next macrotask (MessageChannel: no 4 ms timer clamping). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** Makes every forward pass of `model` (one per generated token) start on a fresh macrotask. */
export function yieldBetweenSteps(model: PreTrainedModel): void {
  const forward = model.forward.bind(model);
  model.forward = async (inputs) => {
    await yieldToEventLoop();
    return forward(inputs);
  };
}
