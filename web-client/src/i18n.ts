// Every user-visible string, in French (default) and English, and the
// current-language helpers: `t(key, params)` with `{name}` placeholders; the
// choice is remembered in localStorage. `en` must have exactly fr's keys (the
// type checks it, and a unit test checks it at run time).

export type Lang = 'fr' | 'en';
export const LANGS: readonly Lang[] = ['fr', 'en'];
const LANG_KEY = 'amphi.lang';

export const fr = {
  'app.name': 'amphi',
  'app.tagline': 'Sessions de formation en direct',
  'brand.line1': 'République',
  'brand.line2': 'Française',
  'skip.content': 'Aller au contenu',
  'lang.switch': 'English',
  'lang.switchLabel': 'Switch to English',
  'footer.text': 'amphi — salle de classe en direct pour la formation des enseignants.',

  'home.title': 'Rejoindre une session',
  'home.intro': 'Saisissez le code affiché par votre formateur ou votre formatrice.',
  'home.code': 'Code de la session',
  'home.codeHint': '6 caractères, lettres et chiffres',
  'home.name': 'Pseudonyme',
  'home.nameHint': 'Le nom que verront les autres participants',
  'home.join': 'Rejoindre',
  'home.joining': 'Connexion…',
  'home.codeInvalid': 'Le code comporte 6 lettres ou chiffres.',
  'home.nameMissing': 'Indiquez un pseudonyme.',
  'home.trainerTitle': 'Espace formateur',
  'home.trainerIntro': 'Collez le jeton fourni par votre plateforme (ou par « amphi token »).',
  'home.token': 'Jeton formateur',
  'home.tokenMissing': 'Collez votre jeton formateur.',
  'home.roomTitle': 'Titre de la salle',
  'home.roomTitleMissing': 'Donnez un titre à la salle.',
  'home.create': 'Créer une salle',
  'home.creating': 'Création…',
  'home.unreachable': 'Impossible de joindre le serveur. Vérifiez votre connexion et réessayez.',

  'status.connecting': 'Connexion…',
  'status.online': 'Connecté',
  'status.reconnecting': 'Reconnexion…',
  'status.offline': 'Hors ligne',
  'status.stopped': 'Déconnecté',
  'status.retry': 'Se reconnecter',
  'status.announce': 'État de la connexion : {status}',

  'lobby.connectedParticipants': 'Participants connectés',
  'lobby.announcements': 'Annonces',
  'lobby.noAnnouncements': 'Aucune annonce pour le moment.',
  'lobby.announcementFrom': '{name}, {time}',
  'lobby.raiseHand': 'Lever la main',
  'lobby.lowerHand': 'Baisser la main',
  'lobby.handUp': 'Votre main est levée.',
  'lobby.handDown': 'Votre main est baissée.',
  'lobby.leave': 'Quitter',
  'lobby.you': 'Vous êtes {name}',
  'lobby.newAnnouncement': 'Nouvelle annonce de {name} : {text}',
  'lobby.removed': 'Vous avez été retiré de la salle.',
  'lobby.closed': 'La connexion a été fermée.',
  'lobby.backHome': "Retour à l'accueil",

  'trainer.joinCode': 'Code de la session',
  'trainer.joinCodeSpelled': 'Code : {spelled}',
  'trainer.joinUrl': 'Lien pour rejoindre',
  'trainer.copy': 'Copier le lien',
  'trainer.copied': 'Lien copié.',
  'trainer.members': 'Membres',
  'trainer.membersCount': 'Connectés : {connected} sur {members}',
  'trainer.noMembers': 'Personne pour le moment.',
  'trainer.connected': 'connecté',
  'trainer.disconnected': 'déconnecté',
  'trainer.hands': 'Mains levées',
  'trainer.noHands': 'Aucune main levée.',
  'trainer.lower': 'Baisser',
  'trainer.lowerLabel': 'Baisser la main de {name}',
  'trainer.handRaised': '{name} lève la main.',
  'trainer.joinedRoom': '{name} a rejoint la salle.',
  'trainer.announce': 'Annonce à la salle',
  'trainer.announceHint': '{count} caractères sur {max}',
  'trainer.send': 'Envoyer',
  'trainer.announceEmpty': "Écrivez d'abord votre annonce.",

  'role.participant': 'participant',
  'role.trainer': 'formateur',
  'role.facilitator': 'animateur',
  'role.observer': 'observateur',
  'role.admin': 'administrateur',

  'error.title': 'Erreur',
  'error.close': 'Masquer le message',
  'error.malformed_frame': 'Message illisible pour le serveur.',
  'error.unknown_type': 'Commande inconnue du serveur.',
  'error.invalid_field': 'Données invalides.',
  'error.out_of_range': 'Valeur trop longue ou hors limites.',
  'error.frame_too_large': 'Message trop volumineux.',
  'error.unsupported_protocol': 'Version du protocole non prise en charge : rechargez la page.',
  'error.not_authenticated': 'Session non authentifiée.',
  'error.already_authenticated': 'Session déjà authentifiée.',
  'error.unauthorized': 'Jeton invalide.',
  'error.token_expired': 'Jeton expiré : demandez-en un nouveau.',
  'error.forbidden': "Votre rôle ne permet pas cette action.",
  'error.room_not_found': 'Aucune session ne correspond à ce code.',
  'error.not_in_room': "Vous n'êtes pas dans cette salle.",
  'error.room_full': 'La salle est complète.',
  'error.invalid_state': "Action impossible pour l'instant.",
  'error.rate_limited': 'Trop de messages : patientez quelques secondes.',
  'error.unavailable': 'Service momentanément indisponible : nouvel essai bientôt.',
  'error.internal': 'Erreur du serveur.',
  'error.stopped': 'La connexion est fermée.',
  'error.network': 'Le serveur ne répond pas.',
  'error.unknown': 'Erreur inattendue ({code}).',
} as const;

export type MessageKey = keyof typeof fr;

export const en: Record<MessageKey, string> = {
  'app.name': 'amphi',
  'app.tagline': 'Live training sessions',
  'brand.line1': 'République',
  'brand.line2': 'Française',
  'skip.content': 'Skip to content',
  'lang.switch': 'Français',
  'lang.switchLabel': 'Passer en français',
  'footer.text': 'amphi — a live classroom for teacher training.',

  'home.title': 'Join a session',
  'home.intro': 'Enter the code shown by your trainer.',
  'home.code': 'Session code',
  'home.codeHint': '6 characters, letters and digits',
  'home.name': 'Nickname',
  'home.nameHint': 'The name other participants will see',
  'home.join': 'Join',
  'home.joining': 'Connecting…',
  'home.codeInvalid': 'The code has 6 letters or digits.',
  'home.nameMissing': 'Enter a nickname.',
  'home.trainerTitle': 'Trainer space',
  'home.trainerIntro': 'Paste the token given by your platform (or by “amphi token”).',
  'home.token': 'Trainer token',
  'home.tokenMissing': 'Paste your trainer token.',
  'home.roomTitle': 'Room title',
  'home.roomTitleMissing': 'Give the room a title.',
  'home.create': 'Create a room',
  'home.creating': 'Creating…',
  'home.unreachable': 'Cannot reach the server. Check your connection and try again.',

  'status.connecting': 'Connecting…',
  'status.online': 'Connected',
  'status.reconnecting': 'Reconnecting…',
  'status.offline': 'Offline',
  'status.stopped': 'Disconnected',
  'status.retry': 'Reconnect',
  'status.announce': 'Connection status: {status}',

  'lobby.connectedParticipants': 'Connected participants',
  'lobby.announcements': 'Announcements',
  'lobby.noAnnouncements': 'No announcements yet.',
  'lobby.announcementFrom': '{name}, {time}',
  'lobby.raiseHand': 'Raise my hand',
  'lobby.lowerHand': 'Lower my hand',
  'lobby.handUp': 'Your hand is raised.',
  'lobby.handDown': 'Your hand is lowered.',
  'lobby.leave': 'Leave',
  'lobby.you': 'You are {name}',
  'lobby.newAnnouncement': 'New announcement from {name}: {text}',
  'lobby.removed': 'You were removed from the room.',
  'lobby.closed': 'The connection was closed.',
  'lobby.backHome': 'Back to home',

  'trainer.joinCode': 'Session code',
  'trainer.joinCodeSpelled': 'Code: {spelled}',
  'trainer.joinUrl': 'Link to join',
  'trainer.copy': 'Copy the link',
  'trainer.copied': 'Link copied.',
  'trainer.members': 'Members',
  'trainer.membersCount': 'Connected: {connected} of {members}',
  'trainer.noMembers': 'Nobody yet.',
  'trainer.connected': 'connected',
  'trainer.disconnected': 'disconnected',
  'trainer.hands': 'Raised hands',
  'trainer.noHands': 'No raised hands.',
  'trainer.lower': 'Lower',
  'trainer.lowerLabel': "Lower {name}'s hand",
  'trainer.handRaised': '{name} raises their hand.',
  'trainer.joinedRoom': '{name} joined the room.',
  'trainer.announce': 'Announcement to the room',
  'trainer.announceHint': '{count} of {max} characters',
  'trainer.send': 'Send',
  'trainer.announceEmpty': 'Write your announcement first.',

  'role.participant': 'participant',
  'role.trainer': 'trainer',
  'role.facilitator': 'facilitator',
  'role.observer': 'observer',
  'role.admin': 'admin',

  'error.title': 'Error',
  'error.close': 'Hide the message',
  'error.malformed_frame': 'The server could not read a message.',
  'error.unknown_type': 'The server does not know this command.',
  'error.invalid_field': 'Invalid data.',
  'error.out_of_range': 'Value too long or out of range.',
  'error.frame_too_large': 'Message too large.',
  'error.unsupported_protocol': 'Unsupported protocol version: reload the page.',
  'error.not_authenticated': 'Session not authenticated.',
  'error.already_authenticated': 'Session already authenticated.',
  'error.unauthorized': 'Invalid token.',
  'error.token_expired': 'Token expired: ask for a new one.',
  'error.forbidden': 'Your role does not allow this.',
  'error.room_not_found': 'No session matches this code.',
  'error.not_in_room': 'You are not in this room.',
  'error.room_full': 'The room is full.',
  'error.invalid_state': 'Not possible right now.',
  'error.rate_limited': 'Too many messages: wait a few seconds.',
  'error.unavailable': 'Service temporarily unavailable: retrying soon.',
  'error.internal': 'Server error.',
  'error.stopped': 'The connection is closed.',
  'error.network': 'The server does not answer.',
  'error.unknown': 'Unexpected error ({code}).',
};

export const dictionaries: Record<Lang, Record<MessageKey, string>> = { fr, en };

let current: Lang = 'fr';

export function lang(): Lang {
  return current;
}

/** The translated string, with `{param}` placeholders filled in. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = dictionaries[current][key] ?? fr[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** The message for a protocol error code (or a local one like `network`). */
export function errorText(code: string): string {
  const key = `error.${code}` as MessageKey;
  return key in fr ? t(key) : t('error.unknown', { code });
}

export function setLang(next: Lang): void {
  current = next;
  try {
    localStorage.setItem(LANG_KEY, next);
  } catch {
    // storage disabled: the choice lasts for this page only
  }
  if (typeof document !== 'undefined') document.documentElement.lang = next;
}

/** The remembered language, French by default. */
export function initLang(): Lang {
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(LANG_KEY);
  } catch {
    saved = null;
  }
  current = saved === 'en' ? 'en' : 'fr';
  if (typeof document !== 'undefined') document.documentElement.lang = current;
  return current;
}

/** Hours and minutes in the current language. */
export function formatTime(ms: number): string {
  return new Intl.DateTimeFormat(current === 'fr' ? 'fr-FR' : 'en-GB', {
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(ms));
}
