// Electron entry point. The shell (src-main/shell) owns everything Electron-specific.
import { app } from 'electron';

app.whenReady().then(() => {});
