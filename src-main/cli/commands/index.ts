// The command registry: main.ts dispatches to these by name. Add a command by appending it here.
import type { Command } from '../command';
import { healthCommand } from './health';
import { lsCommand } from './ls';
import { planCommand } from './plan';
import { loginCommand } from './login';
import { logoutCommand } from './logout';
import { profilesCommand } from './profiles';
import { statusCommand } from './status';

export const commands: Command[] = [healthCommand, lsCommand, planCommand];
commands.push(loginCommand, logoutCommand, profilesCommand, statusCommand);
import { exportCommand } from './export';
import { jobsCommand } from './jobs';
import { resumeCommand } from './resume';
commands.push(exportCommand, jobsCommand, resumeCommand);
import { syncCommand } from './sync';
commands.push(syncCommand);
