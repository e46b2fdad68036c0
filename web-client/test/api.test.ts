// REST helpers against a fake fetch: quiz room creation body, quiz import
// (format in the query, file text as the body, `{code, message}` errors kept
// for display) and results downloads (Bearer token, file name from
// Content-Disposition); board rooms, uploads (bearer token, refusals keep
// their code), blob and export addresses, and imports; breakout rooms and
// the participation report.

import { describe, expect, it } from 'vitest';
import { ApiError, copyPost, createRoom, deleteFolder, deleteForever, duplicateRoom, listMyRooms, listTrash, markRoom, fetchResults, fetchSessionFile, importQuiz, observerToken, sessionFileUrl } from '../src/api';
import { createBreakoutRoom, fetchParticipation } from '../src/breakout-api';
import { blobUrl, boardExportUrl, createBoardRoom, fetchBoardExport, importBoard, setBlobToken, uploadBoardFile } from '../src/board-api';

function fakeFetch(status: number, body: unknown, headers: Record<string, string> = {}) {
  const calls: { url: string; init: RequestInit }[] = [];
  const impl = (async (url: string, init: RequestInit = {}) => {
    calls.push({ url, init });
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return new Response(status === 204 ? null : text, { status, headers });
  }) as unknown as typeof fetch;
  return { impl, calls };
}

describe('api', () => {
  it('creates a quiz room with the quiz and its settings', async () => {
    const { impl, calls } = fakeFetch(201, { id: 'r1', kind: 'quiz', title: 'Géo', join_code: 'Y46PY6', tenant: 'default', created_at: 1 });
    const quiz = { title: 'Géo', questions: [{ prompt: 'La Loire…', type: 'true_false', answer: true }] };
    const room = await createRoom('jwt', 'Géo', impl, { quiz, settings: { mode: 'self_paced' } });
    expect(room.join_code).toBe('Y46PY6');
    expect(calls[0].url).toBe('/api/v1/rooms');
    expect((calls[0].init.headers as Record<string, string>).Authorization).toBe('Bearer jwt');
    expect(JSON.parse(calls[0].init.body as string)).toEqual({ title: 'Géo', kind: 'quiz', quiz, settings: { mode: 'self_paced' } });
  });

  it('lists my rooms with the bearer token; a participant token is refused with its code', async () => {
    const rooms = [{ id: 'r1', kind: 'quiz', title: 'Géo', join_code: 'Y46PY6', tenant: 'default', created_at: 2, live: true }];
    const { impl, calls } = fakeFetch(200, { rooms });
    expect(await listMyRooms('jwt', impl)).toEqual(rooms);
    expect(calls[0].url).toBe('/api/v1/rooms?mine=1');
    expect((calls[0].init.headers as Record<string, string>).Authorization).toBe('Bearer jwt');
    const refused = fakeFetch(403, { code: 'forbidden', message: 'a leader only' });
    await expect(listMyRooms('jwt', refused.impl)).rejects.toMatchObject({ status: 403, code: 'forbidden' });
  });

  it('lists one folder’s rooms, files and stars a room, duplicates it, and deletes for good', async () => {
    const list = fakeFetch(200, { rooms: [] });
    await listMyRooms('jwt', list.impl, 'root');
    expect(list.calls[0].url).toBe('/api/v1/rooms?mine=1&folder=root');
    const mark = fakeFetch(200, { id: 'r1', folder: 'f1', favourite: true });
    await markRoom('jwt', 'r1', { folder: 'f1', favourite: true }, mark.impl);
    expect([mark.calls[0].url, mark.calls[0].init.method]).toEqual(['/api/v1/rooms/r1/mark', 'PUT']);
    expect(JSON.parse(mark.calls[0].init.body as string)).toEqual({ folder: 'f1', favourite: true });
    const copy = fakeFetch(201, { id: 'r2', kind: 'board', title: 'Mur (copie)', join_code: 'ABC123', tenant: 't', created_at: 1 });
    expect((await duplicateRoom('jwt', 'r1', copy.impl)).title).toBe('Mur (copie)');
    expect(copy.calls[0].url).toBe('/api/v1/rooms/r1/duplicate');
    const gone = fakeFetch(204, '');
    await deleteFolder('jwt', 'f1', gone.impl);
    expect([gone.calls[0].url, gone.calls[0].init.method]).toEqual(['/api/v1/folders/f1', 'DELETE']);
    const emptied = fakeFetch(200, { deleted: 2 });
    expect(await deleteForever('jwt', null, emptied.impl)).toBe(2);
    expect(emptied.calls[0].url).toBe('/api/v1/trash');
    const trash = fakeFetch(200, { rooms: [], retention_days: 30 });
    expect(await listTrash('jwt', trash.impl)).toEqual({ rooms: [], retention_days: 30 });
    const refused = fakeFetch(404, { code: 'room_not_found', message: 'no room' });
    await expect(copyPost('jwt', 'b1', 'p1', 'b2', refused.impl)).rejects.toMatchObject({ status: 404, code: 'room_not_found' });
    expect(JSON.parse(refused.calls[0].init.body as string)).toEqual({ to: 'b2' });
    expect(refused.calls[0].url).toBe('/api/v1/boards/b1/posts/p1/copy');
  });

  it('creates a breakout room with its plan; a refused plan keeps its code and message', async () => {
    const { impl, calls } = fakeFetch(201, { id: 'r2', kind: 'breakout', title: 'Ateliers', join_code: 'KM7R4P', tenant: 't', created_at: 1 });
    const plan = { mode: 'balanced' as const, ateliers: [{ id: 'a1', name: 'Différenciation', instructions: '', duration_s: 1200 }] };
    const room = await createBreakoutRoom('jwt', 'Ateliers', { plan }, impl);
    expect(room.kind).toBe('breakout');
    expect(calls[0].url).toBe('/api/v1/rooms');
    expect(JSON.parse(calls[0].init.body as string)).toEqual({ title: 'Ateliers', kind: 'breakout', breakout: { plan } });
    const refused = fakeFetch(400, { code: 'out_of_range', message: '`breakout`: duration_s' });
    await expect(createBreakoutRoom('jwt', 'Ateliers', { plan }, refused.impl)).rejects.toMatchObject({ status: 400, code: 'out_of_range', message: '`breakout`: duration_s' });
  });

  it('downloads participation.json with the bearer token', async () => {
    const { impl, calls } = fakeFetch(200, '{"ateliers":[]}', { 'Content-Type': 'application/json' });
    const file = await fetchParticipation('jwt', 'r2', impl);
    expect(calls[0].url).toBe('/api/v1/sessions/r2/participation.json');
    expect((calls[0].init.headers as Record<string, string>).Authorization).toBe('Bearer jwt');
    expect(file.filename).toBe('participation-r2.json');
    expect(await file.blob.text()).toBe('{"ateliers":[]}');
  });

  it('a lobby room body stays {title}', async () => {
    const { impl, calls } = fakeFetch(201, { id: 'r1', kind: 'lobby', title: 'Salle', join_code: 'ABC123', tenant: 't', created_at: 1 });
    await createRoom('jwt', 'Salle', impl);
    expect(JSON.parse(calls[0].init.body as string)).toEqual({ title: 'Salle' });
  });

  it('imports a GIFT file: format in the query, text as the body', async () => {
    const { impl, calls } = fakeFetch(200, { quiz: { title: 'Quiz importé', questions: [] }, skipped: [], warnings: [] });
    const result = await importQuiz('jwt', 'Capitale ? {=Paris ~Lyon}', 'gift', impl);
    expect(result.skipped).toEqual([]);
    expect(calls[0].url).toBe('/api/v1/quizzes/import?format=gift');
    expect(calls[0].init.body).toBe('Capitale ? {=Paris ~Lyon}');
    await importQuiz('jwt', '{}', undefined, impl);
    expect(calls[1].url).toBe('/api/v1/quizzes/import');
  });

  it('keeps the server message of a refused import (it names the line)', async () => {
    const message = 'gift import failed: line 1: the answer block opened with `{` is not closed with `}`';
    const { impl } = fakeFetch(400, { code: 'invalid_field', message });
    const error = await importQuiz('jwt', 'x {', 'gift', impl).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_field', message });
  });

  it('reports an unreachable server as `network`', async () => {
    const impl = (async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;
    await expect(importQuiz('jwt', 'x', 'gift', impl)).rejects.toMatchObject({ code: 'network' });
  });

  it('downloads results with the token, named as the server says', async () => {
    const csv = '\ufeffparticipant,question\nAlice,Capitale ?\n';
    const { impl, calls } = fakeFetch(200, csv, { 'Content-Type': 'text/csv', 'Content-Disposition': 'attachment; filename="results-r1.csv"' });
    const file = await fetchResults('jwt', 'r1', 'csv', impl);
    expect(file.filename).toBe('results-r1.csv');
    expect(await file.blob.text()).toContain('Alice');
    expect(calls[0].url).toBe('/api/v1/sessions/r1/results.csv');
    expect((calls[0].init.headers as Record<string, string>).Authorization).toBe('Bearer jwt');
  });

  it('a refused download throws the API error', async () => {
    const { impl } = fakeFetch(404, { code: 'not_found', message: 'this room runs no quiz' });
    await expect(fetchResults('jwt', 'r1', 'json', impl)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('downloads the attendance with the token, named by the server or after the room', async () => {
    const { impl, calls } = fakeFetch(200, 'participant,joined_at\nAlice,2026-01-01T09:00:00Z\n',
      { 'Content-Type': 'text/csv', 'Content-Disposition': 'attachment; filename="attendance-r1.csv"' });
    const file = await fetchSessionFile('jwt', 'r1', 'attendance.csv', impl);
    expect(file.filename).toBe('attendance-r1.csv');
    expect(calls[0].url).toBe('/api/v1/sessions/r1/attendance.csv');
    expect((calls[0].init.headers as Record<string, string>).Authorization).toBe('Bearer jwt');
    const unnamed = fakeFetch(200, 'participant\n');
    expect((await fetchSessionFile('jwt', 'r 2', 'attendance.csv', unnamed.impl)).filename).toBe('attendance-r 2.csv');
    expect(unnamed.calls[0].url).toBe('/api/v1/sessions/r%202/attendance.csv');
    expect(sessionFileUrl('r1', 'results.json')).toBe('/api/v1/sessions/r1/results.json');
  });

  it('asks for a projector token with the trainer token', async () => {
    const { impl, calls } = fakeFetch(200, { token: 'observer-jwt', expires_at: 1790000000 });
    expect(await observerToken('jwt', 'r1', impl)).toEqual({ token: 'observer-jwt', expires_at: 1790000000 });
    expect(calls[0].url).toBe('/api/v1/rooms/r1/observer-token');
    expect(calls[0].init.method).toBe('POST');
    expect((calls[0].init.headers as Record<string, string>).Authorization).toBe('Bearer jwt');
    const refused = fakeFetch(403, { code: 'forbidden', message: 'only a trainer' });
    await expect(observerToken('jwt', 'r1', refused.impl)).rejects.toMatchObject({ code: 'forbidden', status: 403 });
  });
});

describe('board api', () => {
  it('creates a board room with its sections and settings', async () => {
    const { impl, calls } = fakeFetch(201, { id: 'r1', kind: 'board', title: 'Idées', join_code: 'ABC123', tenant: 't', created_at: 1 });
    const room = await createBoardRoom('jwt', 'Idées', { sections: ['Questions', 'Ressources'], settings: { mode: 'moderated' } }, impl);
    expect(room.kind).toBe('board');
    expect(JSON.parse(calls[0].init.body as string)).toEqual({
      title: 'Idées', kind: 'board', board: { sections: ['Questions', 'Ressources'], settings: { mode: 'moderated' } },
    });
  });

  it('uploads the raw file with a bearer token, the name in the query', async () => {
    const { impl, calls } = fakeFetch(201, { blob: 'b1', content_type: 'image/png', size: 3, name: 'schéma.png' });
    const file = new Blob([new Uint8Array([1, 2, 3])]);
    expect(await uploadBoardFile('resume-token', 'r 1', file, 'schéma.png', impl)).toMatchObject({ blob: 'b1', size: 3 });
    expect(calls[0].url).toBe('/api/v1/boards/r%201/uploads?name=sch%C3%A9ma.png');
    expect(calls[0].init.method).toBe('POST');
    expect(calls[0].init.body).toBe(file);
    expect((calls[0].init.headers as Record<string, string>).Authorization).toBe('Bearer resume-token');
  });

  it('keeps the code of a refused upload (type refused, too large)', async () => {
    const refused = fakeFetch(415, { code: 'file_type_refused', message: 'this file\'s content is html' });
    await expect(uploadBoardFile('t', 'r1', new Blob(['<html>']), 'x.png', refused.impl)).rejects.toMatchObject({ status: 415, code: 'file_type_refused' });
    const large = fakeFetch(413, { code: 'file_too_large', message: 'files are limited to 20971520 bytes' });
    await expect(uploadBoardFile('t', 'r1', new Blob(['x']), 'x.pdf', large.impl)).rejects.toMatchObject({ code: 'file_too_large' });
  });

  it('names blob and export addresses; downloads exports with the token', async () => {
    expect(blobUrl('b1')).toBe('/api/v1/blobs/b1');
    expect(blobUrl('b1', 'cours de maths.pdf')).toBe('/api/v1/blobs/b1?name=cours%20de%20maths.pdf');
    setBlobToken('dA.99.f0');
    expect(blobUrl('b1', 'a b.pdf')).toBe('/api/v1/blobs/b1?name=a%20b.pdf&access=dA.99.f0');
    setBlobToken(undefined);
    expect(boardExportUrl('r1', 'export.zip')).toBe('/api/v1/boards/r1/export.zip');
    expect(boardExportUrl('r1', 'export.csv', 'fr')).toBe('/api/v1/boards/r1/export.csv?dialect=fr');
    expect(boardExportUrl('r1', 'export.zip', 'fr')).toBe('/api/v1/boards/r1/export.zip');
    const { impl, calls } = fakeFetch(200, 'section,post\n', { 'Content-Disposition': 'attachment; filename="board-r1.csv"' });
    expect((await fetchBoardExport('jwt', 'r1', 'export.csv', impl)).filename).toBe('board-r1.csv');
    expect(calls[0].url).toBe('/api/v1/boards/r1/export.csv');
    expect((await fetchBoardExport('jwt', 'r1', 'export.zip', fakeFetch(200, 'PK').impl)).filename).toBe('board-r1.zip');
  });

  it('imports an export as a new board, the new title in the query', async () => {
    const { impl, calls } = fakeFetch(201, { id: 'r2', kind: 'board', title: 'Réutilisé', join_code: 'XYZ789', tenant: 't', created_at: 1 });
    const zip = new Blob(['PK']);
    expect((await importBoard('jwt', zip, 'Réutilisé', impl)).id).toBe('r2');
    expect(calls[0].url).toBe('/api/v1/boards/import?title=R%C3%A9utilis%C3%A9');
    expect(calls[0].init.body).toBe(zip);
    await importBoard('jwt', zip, undefined, impl);
    expect(calls[1].url).toBe('/api/v1/boards/import');
  });
});
