// Entry point: loads the DSFR styles (core, components, the icon sets used),
// the app's own styles, the remembered language, and starts the app.

import '@gouvfr/dsfr/dist/dsfr.min.css';
import '@gouvfr/dsfr/dist/utility/icons/icons-system/icons-system.min.css';
import '@gouvfr/dsfr/dist/utility/icons/icons-business/icons-business.min.css';
import '@gouvfr/dsfr/dist/utility/icons/icons-editor/icons-editor.min.css';
import '@gouvfr/dsfr/dist/utility/icons/icons-arrows/icons-arrows.min.css';
import '@gouvfr/dsfr/dist/utility/icons/icons-design/icons-design.min.css';
import '@gouvfr/dsfr/dist/utility/icons/icons-health/icons-health.min.css';
import '@gouvfr/dsfr/dist/utility/icons/icons-communication/icons-communication.min.css';
import './styles.css';

import { App } from './app';
import { initLang } from './i18n';

initLang();
const root = document.getElementById('app');
if (root) new App(root).start();
