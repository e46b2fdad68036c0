// Loaded before every test file: both dictionaries ready, so a test may
// switch languages with the synchronous setLang.

import { loadLang } from '../src/i18n';

await loadLang('en');
