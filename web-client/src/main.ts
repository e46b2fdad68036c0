// Entry point: loads the DSFR styles (core, the components used, the icons
// used), the app's own styles, the remembered language, and starts the app.

// The DSFR per component, in the order of its own bundle: the core (fonts,
// grid, typography, spacing, the icons' base rule) and the components amphi
// uses, without the IE11 legacy layer; then only the icons used.
import '@gouvfr/dsfr/dist/core/core.main.min.css';
import '@gouvfr/dsfr/dist/component/upload/upload.main.min.css';
import '@gouvfr/dsfr/dist/component/badge/badge.main.min.css';
import '@gouvfr/dsfr/dist/component/logo/logo.main.min.css';
import '@gouvfr/dsfr/dist/component/button/button.main.min.css';
import '@gouvfr/dsfr/dist/component/form/form.main.min.css';
import '@gouvfr/dsfr/dist/component/link/link.main.min.css';
import '@gouvfr/dsfr/dist/component/callout/callout.main.min.css';
import '@gouvfr/dsfr/dist/component/tag/tag.main.min.css';
import '@gouvfr/dsfr/dist/component/alert/alert.main.min.css';
import '@gouvfr/dsfr/dist/component/radio/radio.main.min.css';
import '@gouvfr/dsfr/dist/component/checkbox/checkbox.main.min.css';
import '@gouvfr/dsfr/dist/component/input/input.main.min.css';
import '@gouvfr/dsfr/dist/component/toggle/toggle.main.min.css';
import '@gouvfr/dsfr/dist/component/skiplink/skiplink.main.min.css';
import '@gouvfr/dsfr/dist/component/select/select.main.min.css';
import '@gouvfr/dsfr/dist/component/footer/footer.main.min.css';
import '@gouvfr/dsfr/dist/component/table/table.main.min.css';
import '@gouvfr/dsfr/dist/component/header/header.main.min.css';
import './icons.css';
import './styles.css';

import { App } from './app';
import { initLang } from './i18n';

const root = document.getElementById('app');
if (root) void initLang().then(() => new App(root).start());
