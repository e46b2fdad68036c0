// Times said the way the reader's language says them, in the reader's own
// time zone (the device's): "9h30" in French, "9:30" in English. A planned
// moment (a quiz's opening, a board's deadline) also names its zone, as the
// server's invitation letters do ("le 01/12/2026 à 9h30, heure de Paris"),
// so that a trainer in Paris and a participant in La Réunion each read a
// time that is right where they are, and know which clock it is on.

export type TimeLang = 'fr' | 'en';

/** The device's IANA time zone (UTC when the browser does not say). */
export function deviceZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

interface Local {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const partsFormats = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock reading of `ms` at `zone`. */
function local(ms: number, zone: string): Local {
  let format = partsFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric',
    });
    partsFormats.set(zone, format);
  }
  const value = (type: string) => Number(format.formatToParts(new Date(ms)).find((p) => p.type === type)?.value ?? 0);
  return { year: value('year'), month: value('month'), day: value('day'), hour: value('hour'), minute: value('minute') };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Hours and minutes: "9h30", "9:30". */
export function clockTime(ms: number, lang: TimeLang, zone = deviceZone()): string {
  const at = local(ms, zone);
  return lang === 'fr' ? `${at.hour}h${pad(at.minute)}` : `${at.hour}:${pad(at.minute)}`;
}

/** A date and a time, short: "2 déc. 2026 à 9h30", "2 Dec 2026, 9:30". */
export function dateAndTime(ms: number, lang: TimeLang, zone = deviceZone()): string {
  const date = new Intl.DateTimeFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { timeZone: zone, dateStyle: 'medium' }).format(new Date(ms));
  return lang === 'fr' ? `${date} à ${clockTime(ms, lang, zone)}` : `${date}, ${clockTime(ms, lang, zone)}`;
}

/** How a zone is named to a reader: "heure de Paris", "Paris time" (as the server's letters say it). */
export function zoneLabel(zone: string, lang: TimeLang): string {
  const french: Record<string, string> = {
    'Europe/Paris': 'heure de Paris',
    'Indian/Reunion': 'heure de La Réunion',
    'Indian/Mayotte': 'heure de Mayotte',
    'America/Guadeloupe': 'heure de la Guadeloupe',
    'America/Martinique': 'heure de la Martinique',
    'America/Cayenne': 'heure de la Guyane',
    'America/Miquelon': 'heure de Saint-Pierre-et-Miquelon',
    'Pacific/Noumea': 'heure de Nouméa',
    'Pacific/Tahiti': 'heure de Tahiti',
    'Pacific/Wallis': 'heure de Wallis-et-Futuna',
    UTC: 'temps universel (UTC)',
    'Etc/UTC': 'temps universel (UTC)',
  };
  const city = (zone.split('/').pop() ?? zone).replace(/_/g, ' ');
  if (lang === 'fr') return french[zone] ?? `heure de ${city}`;
  return zone === 'UTC' || zone === 'Etc/UTC' ? 'UTC' : `${city} time`;
}

/**
 * A planned moment with its zone: "aujourd’hui à 9h30, heure de Paris" on
 * the same local day as `now`, else "le 03/12/2026 à 9h30, heure de Paris"
 * ("today at 9:30, Paris time", "on 03/12/2026 at 9:30, Paris time").
 */
export function plannedTime(ms: number, lang: TimeLang, now: number, zone = deviceZone()): string {
  const at = local(ms, zone);
  const today = local(now, zone);
  const sameDay = at.year === today.year && at.month === today.month && at.day === today.day;
  const time = clockTime(ms, lang, zone);
  const label = zoneLabel(zone, lang);
  const date = `${pad(at.day)}/${pad(at.month)}/${at.year}`;
  if (lang === 'fr') return sameDay ? `aujourd’hui à ${time}, ${label}` : `le ${date} à ${time}, ${label}`;
  return sameDay ? `today at ${time}, ${label}` : `on ${date} at ${time}, ${label}`;
}
