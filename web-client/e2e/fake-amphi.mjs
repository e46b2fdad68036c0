#!/usr/bin/env node
// A small stand-in for the amphi server, for front-end work and to check the
// e2e script while the real server is not built: same CLI shape as the
// bits the e2e uses (`token --role R --name N`, then serving on AMPHI_LISTEN),
// /healthz, POST /api/v1/rooms, /ws (amphi.v1.json: hello, join, leave,
// announce, raise/lower hand, ping, resume with replay, per-id dedup), and
// the built client from AMPHI_WEB_DIR with an index.html fallback.
// NOT the reference: the Rust server and protocol/ are. Tokens are unsigned.
//
//   AMPHI_BIN=e2e/fake-amphi.mjs npm run e2e
//   AMPHI_LISTEN=127.0.0.1:8080 node e2e/fake-amphi.mjs   # then `npm run dev`

import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';

const HEARTBEAT_MS = Number(process.env.AMPHI_FAKE_HEARTBEAT_MS ?? 20_000);
const argv = process.argv.slice(2);

if (argv[0] === 'token') {
  const opt = (name, fallback) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : fallback;
  };
  const claims = { sub: `u-${randomUUID()}`, name: opt('name', 'Formateur'), role: opt('role', 'trainer'), tenant: 'ac-test' };
  process.stdout.write(`fake.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.unsigned\n`);
  process.exit(0);
}

const webDir = resolve(process.env.AMPHI_WEB_DIR ?? fileURLToPath(new URL('../dist', import.meta.url)));
const [host, port] = (process.env.AMPHI_LISTEN ?? '127.0.0.1:8080').split(/:(?=\d+$)/);

function parseToken(token) {
  try {
    const [tag, payload] = String(token).split('.');
    if (tag !== 'fake') return null;
    return JSON.parse(Buffer.from(payload, 'base64url').toString());
  } catch {
    return null;
  }
}

const leads = (role) => role === 'trainer' || role === 'facilitator' || role === 'admin';
const seesRoster = (role) => leads(role) || role === 'observer';
const rooms = new Map(); // id → room
const members = new Map(); // id → member
const resumeTokens = new Map(); // token → member id

function newRoom(title, tenant) {
  let code;
  do code = Array.from({ length: 6 }, () => 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'[Math.floor(Math.random() * 31)]).join('');
  while ([...rooms.values()].some((r) => r.info.join_code === code));
  const room = { info: { id: randomUUID(), kind: 'lobby', title, join_code: code }, tenant, seq: 0, members: new Set(),
    hands: [], announcements: [], log: [], conns: new Set(), createdAt: new Date().toISOString() };
  rooms.set(room.info.id, room);
  return room;
}

function memberFrom(claims) {
  const id = claims.sub;
  if (!members.has(id)) members.set(id, { id, name: claims.name, role: claims.role, tenant: claims.tenant, guest: false, conns: new Set(), results: new Map() });
  return members.get(id);
}

const view = (m, room) => ({ id: m.id, name: m.name, role: m.role, connected: [...m.conns].some((c) => c.rooms.has(room.info.id)) });
function counts(room) {
  const all = [...room.members].map((id) => view(members.get(id), room));
  const parts = all.filter((m) => m.role === 'participant');
  return { members: all.length, connected: all.filter((m) => m.connected).length, participants: parts.length, participants_connected: parts.filter((m) => m.connected).length };
}
function snapshot(room, m) {
  return { members: seesRoster(m.role) ? [...room.members].map((id) => view(members.get(id), room)) : [], counts: counts(room), hands: room.hands, announcements: room.announcements.slice(-50) };
}

/** Appends an event; `body(role)` gives each audience its version. */
function emit(room, body) {
  const entry = { seq: ++room.seq, at: Date.now(), body };
  room.log.push(entry);
  for (const conn of room.conns) send(conn, frameFor(room, entry, conn.member.role));
}
const frameFor = (room, e, role) => ({ type: 'event', room: room.info.id, seq: e.seq, at: e.at, event: e.body(role) });
function presence(room, changedIds, leftIds = []) {
  const c = counts(room);
  const changed = changedIds.filter((id) => room.members.has(id)).map((id) => view(members.get(id), room));
  emit(room, (role) => {
    const body = { kind: 'presence', counts: c };
    if (seesRoster(role) && changed.length) body.changed = changed;
    if (seesRoster(role) && leftIds.length) body.left = leftIds;
    return body;
  });
}

function send(conn, msg) {
  if (conn.ws.readyState === 1) conn.ws.send(JSON.stringify(msg));
}

function attach(conn, room, lastSeq) {
  room.members.add(conn.member.id);
  room.conns.add(conn);
  conn.rooms.add(room.info.id);
  const replay = lastSeq > 0 && room.log.length > 0 && room.log[0].seq <= lastSeq + 1;
  if (replay) {
    send(conn, { type: 'joined', room: room.info, seq: room.seq });
    for (const e of room.log) if (e.seq > lastSeq) send(conn, frameFor(room, e, conn.member.role));
  } else {
    send(conn, { type: 'joined', room: room.info, seq: room.seq, snapshot: snapshot(room, conn.member) });
  }
  presence(room, [conn.member.id]);
}

function welcome(conn) {
  const m = conn.member;
  m.conns.add(conn);
  const token = randomUUID();
  resumeTokens.set(token, m.id);
  send(conn, { type: 'welcome', v: 1, member: { id: m.id, name: m.name, role: m.role, tenant: m.tenant, guest: m.guest }, resume_token: token, server_time_ms: Date.now(), heartbeat_ms: HEARTBEAT_MS });
}

function onHello(conn, msg) {
  const auth = msg.auth ?? {};
  const fail = (code, message) => {
    send(conn, { type: 'error', code, message });
    setTimeout(() => conn.ws.close(4001, code), 50);
  };
  if (auth.method === 'token') {
    const claims = parseToken(auth.token);
    if (!claims) return fail('unauthorized', 'bad token');
    conn.member = memberFrom(claims);
    welcome(conn);
  } else if (auth.method === 'join_code') {
    const room = [...rooms.values()].find((r) => r.info.join_code === String(auth.code).toUpperCase());
    if (!room) return fail('room_not_found', 'no room has this code');
    const id = randomUUID();
    conn.member = { id, name: String(auth.name).slice(0, 40), role: 'participant', tenant: room.tenant, guest: true, conns: new Set(), results: new Map() };
    members.set(id, conn.member);
    welcome(conn);
    attach(conn, room, 0);
  } else if (auth.method === 'resume') {
    const m = members.get(resumeTokens.get(auth.token));
    if (!m) return fail('unauthorized', 'unknown resume token');
    conn.member = m;
    welcome(conn);
    for (const [roomId, seq] of Object.entries(msg.last_seq ?? {})) {
      const room = rooms.get(roomId);
      if (room && room.members.has(m.id)) attach(conn, room, Number(seq));
    }
  } else {
    fail('invalid_field', 'unknown auth method');
  }
}

function onCommand(conn, msg) {
  const m = conn.member;
  if (msg.type === 'ping') return send(conn, { type: 'pong', id: msg.id, server_time_ms: Date.now() });
  const done = m.results.get(msg.id);
  if (done) return send(conn, done);
  const answer = (frame) => {
    m.results.set(msg.id, frame);
    send(conn, frame);
  };
  const error = (code, message) => answer({ type: 'error', id: msg.id, room: msg.room, code, message });
  if (msg.type === 'join') {
    const room = msg.room ? rooms.get(msg.room) : [...rooms.values()].find((r) => r.info.join_code === msg.code);
    if (!room) return error('room_not_found', 'no such room');
    attach(conn, room, 0);
    return answer({ type: 'ack', id: msg.id });
  }
  const room = rooms.get(msg.room);
  if (!room || !conn.rooms.has(msg.room)) return error('not_in_room', 'join the room first');
  switch (msg.type) {
    case 'announce': {
      if (!leads(m.role)) return error('forbidden', 'only a trainer, facilitator or admin may announce');
      const text = String(msg.text ?? '');
      if (!text || text.length > 1000) return error('out_of_range', 'text must be 1 to 1000 characters');
      const announcement = { from: m.id, from_name: m.name, text, at: Date.now() };
      room.announcements.push(announcement);
      emit(room, () => ({ kind: 'announcement', announcement }));
      break;
    }
    case 'raise_hand':
      if (!room.hands.some((h) => h.member === m.id)) {
        const hand = { member: m.id, name: m.name, at: Date.now() };
        room.hands.push(hand);
        emit(room, () => ({ kind: 'hand_raised', hand }));
      }
      break;
    case 'lower_hand': {
      const who = msg.member ?? m.id;
      if (who !== m.id && !leads(m.role)) return error('forbidden', 'only a trainer may lower another hand');
      if (room.hands.some((h) => h.member === who)) {
        room.hands = room.hands.filter((h) => h.member !== who);
        emit(room, () => ({ kind: 'hand_lowered', member: who, by: m.id }));
      }
      break;
    }
    case 'leave':
      room.members.delete(m.id);
      room.conns.delete(conn);
      conn.rooms.delete(room.info.id);
      room.hands = room.hands.filter((h) => h.member !== m.id);
      presence(room, [], [m.id]);
      break;
    default:
      return send(conn, { type: 'error', id: msg.id, code: 'unknown_type', message: `unknown type ${msg.type}` });
  }
  answer({ type: 'ack', id: msg.id });
}

const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.woff2': 'font/woff2', '.woff': 'font/woff', '.ico': 'image/x-icon', '.json': 'application/json' };

function json(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/healthz') return json(res, 200, { status: 'ok' });
  if (url.pathname === '/api/v1/rooms' && req.method === 'POST') {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const claims = parseToken((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (!claims) return json(res, 401, { code: 'unauthorized', message: 'missing or bad token' });
      if (!leads(claims.role)) return json(res, 403, { code: 'forbidden', message: 'trainers only' });
      let title;
      try {
        title = String(JSON.parse(body).title ?? '').trim();
      } catch {
        return json(res, 400, { code: 'malformed_frame', message: 'bad json' });
      }
      if (!title) return json(res, 422, { code: 'invalid_field', message: 'title required' });
      const room = newRoom(title, claims.tenant);
      json(res, 201, { ...room.info, tenant: room.tenant, created_at: room.createdAt });
    });
    return;
  }
  if (url.pathname.startsWith('/api/')) return json(res, 404, { code: 'not_found', message: 'no such route' });
  let file = normalize(join(webDir, decodeURIComponent(url.pathname)));
  if (!file.startsWith(webDir) || !existsSync(file) || statSync(file).isDirectory()) file = join(webDir, 'index.html');
  if (!existsSync(file)) return json(res, 404, { code: 'not_found', message: `no web client in ${webDir}` });
  res.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
});

const wss = new WebSocketServer({ server, path: '/ws', handleProtocols: (protocols) => (protocols.has('amphi.v1.json') ? 'amphi.v1.json' : false) });
wss.on('connection', (ws) => {
  const conn = { ws, member: null, rooms: new Set() };
  ws.on('message', (data, isBinary) => {
    let msg;
    try {
      msg = JSON.parse(isBinary ? '' : data.toString());
    } catch {
      return send(conn, { type: 'error', code: 'malformed_frame', message: 'not valid json' });
    }
    if (msg.type === 'hello') return conn.member ? send(conn, { type: 'error', code: 'already_authenticated', message: 'hello twice' }) : onHello(conn, msg);
    if (!conn.member) return send(conn, { type: 'error', id: msg.id, code: 'not_authenticated', message: 'hello first' });
    onCommand(conn, msg);
  });
  ws.on('close', () => {
    if (!conn.member) return;
    conn.member.conns.delete(conn);
    for (const id of conn.rooms) {
      const room = rooms.get(id);
      room.conns.delete(conn);
      presence(room, [conn.member.id]);
    }
  });
});

server.listen(Number(port), host, () => console.log(`fake amphi on http://${host}:${port}, web client from ${webDir}`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => { wss.close(); server.close(); process.exit(0); });
