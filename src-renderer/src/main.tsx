// Start-up: pick the transport (window.api in Electron, the WebSocket in browser mode), build the
// stores and subscribe to the core's events once, outside React, then render.
import { createRoot } from 'react-dom/client';
import { obtainApi } from '../../src-shared/obtain-api';
import { App } from './App';
import { ErrorBox } from './components/ErrorBox';
import { toUiError } from './lib/errors';
import { ModelContext } from './model-context';
import { createAppModel, type AppModel } from './stores/app-model';
import './styles/app.css';

const root = createRoot(document.getElementById('root')!);
let model: AppModel | null = null;

obtainApi({
  onLinkChange: (state) => {
    if (!model) return;
    const wasLost = model.app.getState().transportLost;
    model.app.setState({ transportLost: state !== 'open' });
    // Back after a server restart: jobs may now be "interrupted", and the connection needs a fresh look.
    if (wasLost && state === 'open') {
      void model.reloadJobs().catch(() => undefined);
      void model.refreshConnection();
    }
  },
}).then(({ api }) => {
  model = createAppModel(api);
  void model.boot();
  root.render(
    <ModelContext.Provider value={model}>
      <App />
    </ModelContext.Provider>,
  );
}, (e) => {
  root.render(
    <div className="boot">
      <div style={{ maxWidth: 520 }}><ErrorBox error={toUiError(e)} onRetry={() => location.reload()} /></div>
    </div>,
  );
});
