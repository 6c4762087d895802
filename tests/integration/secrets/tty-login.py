# Runs `studydl login` on a real pseudo-terminal and "pastes" the key the instant the prompt
# shows. Prints everything the terminal displayed, then EXIT=<code>.
# Usage: python3 tty-login.py KEY STUDYDL_HOME BASE_URL REPO
import os, pty, select, sys, time

key, home, base, repo = sys.argv[1:5]
env = dict(os.environ, STUDYDL_HOME=home, STUDYDL_NO_KEYCHAIN='1')
env.pop('HYPERSTUDY_API_KEY', None)
pid, fd = pty.fork()
if pid == 0:
    os.chdir(repo)
    os.execvpe('node', ['node', '--import', 'tsx', 'src-main/cli/main.ts', 'login', '--base-url', base], env)
out, sent, deadline = b'', False, time.time() + 90
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.5)
    if ready:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
        if not sent and b'input hidden' in out:
            os.write(fd, key.encode() + b'\r')
            sent = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors='replace'))
sys.stdout.write('\nEXIT=%d\n' % os.waitstatus_to_exitcode(status))
