// Talking to the sandbox server: the emulator's control API (acting as people, reading chats,
// the live event stream) and the two sandbox endpoints (who is who, the clock).

async function call(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(data.error || `${method} ${path}: ${response.status}`);
  }
  return data;
}

const get = (path) => call("GET", path);
const post = (path, body) => call("POST", path, body ?? {});

export const api = {
  world: () => get("/sandbox/api/world"),
  moveClock: (jump) => post("/sandbox/api/clock", { jump }),
  chats: () => get("/control/chats"),
  chat: (chatId) => get(`/control/chats/${chatId}`),
  history: async (chatId) => (await get(`/control/chats/${chatId}/messages`)).messages,
  commands: (chatId, userId, languageCode) =>
    get(`/control/commands?chat_id=${chatId}&user_id=${userId}` +
        `&language_code=${encodeURIComponent(languageCode || "")}`),
  callback: (callbackId) => get(`/control/callbacks/${callbackId}`),

  // Acting as a person. chat_id is always given: a private chat's id is the person's id.
  sendText: (userId, chatId, text) =>
    post(`/control/users/${userId}/messages`, { text, chat_id: chatId }),
  press: (userId, chatId, messageId, callbackData) =>
    post(`/control/users/${userId}/press`,
         { chat_id: chatId, message_id: messageId, callback_data: callbackData }),
  replyButton: (userId, chatId, text) =>
    post(`/control/users/${userId}/reply_button`, { text, chat_id: chatId }),
  editText: (userId, chatId, messageId, text) =>
    post(`/control/users/${userId}/messages/${messageId}/edit`, { text, chat_id: chatId }),
  shareContact: (userId, chatId) =>
    post(`/control/users/${userId}/contact`, { chat_id: chatId }),
  sendPhoto: (userId, chatId, base64, caption) =>
    post(`/control/users/${userId}/photos`,
         { chat_id: chatId, contents_base64: [base64], caption: caption || null }),
};

export function fileUrl(fileId) {
  return `/control/files/${encodeURIComponent(fileId)}`;
}

// The emulator's Server-Sent Events: every new message, edit, toast, clock jump... The
// browser reconnects by itself and resumes with Last-Event-ID, so nothing is missed.
export function watch(onEvent, onState) {
  const source = new EventSource("/control/stream");
  source.onmessage = (message) => {
    try {
      onEvent(JSON.parse(message.data));
    } catch (error) {
      console.error("sandbox: bad event", error, message.data);
    }
  };
  source.onopen = () => onState(true);
  source.onerror = () => onState(false);
  return source;
}

export async function blobToBase64(blob) {
  const buffer = new Uint8Array(await blob.arrayBuffer());
  let binary = "";
  for (let i = 0; i < buffer.length; i += 0x8000) {
    binary += String.fromCharCode(...buffer.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
