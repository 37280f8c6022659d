/**
 * The Python bootstrap, embedded as a string so the compiled executable carries it; it is
 * written to the sandbox's temp root at first use. It runs as `python3 -I -S bootstrap.py`:
 * new session (own process group), rlimits, a dropped user when started as root, an audit
 * hook that refuses file access outside the allowed paths, process creation, sockets to hosts
 * not allowed and ctypes; then it serves invocations over a private pipe protocol
 * (JSON lines on the original stdin/stdout; user prints become log messages).
 */
export const PYTHON_BOOTSTRAP = String.raw`
import sys, os, json, time, traceback, resource, importlib, _socket

MB = 1024 * 1024
_inp = os.fdopen(os.dup(0), "rb")
_proto = os.fdopen(os.dup(1), "wb")
_null = os.open(os.devnull, os.O_RDONLY)
os.dup2(_null, 0)
os.close(_null)
os.dup2(2, 1)

def send(obj):
    _proto.write((json.dumps(obj, separators=(",", ":")) + "\n").encode("utf-8"))
    _proto.flush()

class _State:
    current = None
    log_bytes = 0
    log_limit = 65536

def emit(level, text):
    if _State.current is None or _State.log_bytes >= _State.log_limit:
        return
    _State.log_bytes += len(text) + 1
    if _State.log_bytes >= _State.log_limit:
        send({"t": "log", "id": _State.current, "level": level, "text": text[: max(0, _State.log_limit - (_State.log_bytes - len(text) - 1))]})
        send({"t": "log", "id": _State.current, "level": "warn", "text": "[log output truncated: over %d bytes]" % _State.log_limit})
        return
    send({"t": "log", "id": _State.current, "level": level, "text": text})

class _Stream:
    def __init__(self, level):
        self.level = level
        self.buf = ""
    def write(self, s):
        if not isinstance(s, str):
            s = str(s)
        self.buf += s
        while "\n" in self.buf:
            line, self.buf = self.buf.split("\n", 1)
            emit(self.level, line)
        if len(self.buf) > 65536:
            emit(self.level, self.buf)
            self.buf = ""
        return len(s)
    def flush(self):
        if self.buf:
            emit(self.level, self.buf)
            self.buf = ""
    def isatty(self):
        return False
    def writable(self):
        return True

class _Logger:
    def debug(self, *a): emit("debug", " ".join(str(x) for x in a))
    def info(self, *a): emit("info", " ".join(str(x) for x in a))
    def warning(self, *a): emit("warn", " ".join(str(x) for x in a))
    warn = warning
    def error(self, *a): emit("error", " ".join(str(x) for x in a))

class Context:
    def __init__(self, c, memory):
        self.request_id = c["requestId"]
        self.aws_request_id = c["requestId"]
        self.function_trn = c["functionTrn"]
        self.function_name = c["functionName"]
        self.function_version = c["version"]
        self.memory_limit_in_mb = memory
        self.tenant = c["tenant"]
        self.deadline_ms = c["deadline"]
        self.logger = _Logger()
    def get_remaining_time_in_millis(self):
        return max(0, int(self.deadline_ms - time.time() * 1000))

def _lim(res, soft, hard=None):
    try:
        resource.setrlimit(res, (soft, soft if hard is None else hard))
    except (ValueError, OSError):
        pass

def _guard(code_dir, work_dir, allow_read, allow_net):
    realpath = os.path.realpath
    reads = [realpath(p) for p in sys.path if p] + [realpath(code_dir), realpath(work_dir)]
    reads += [realpath(p) for p in allow_read]
    writes = [realpath(work_dir)]
    permitted_ips = set()
    nets = []
    for entry in allow_net:
        host, _, port = entry.rpartition(":") if entry.count(":") == 1 else (entry, "", "")
        nets.append((host.lower(), int(port) if port.isdigit() else None))
    resolving = [False]
    W = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND

    def under(p, roots):
        for r in roots:
            if p == r or p.startswith(r.rstrip("/") + "/"):
                return True
        return False

    def check(path, write):
        if path is None or isinstance(path, int):
            return
        try:
            p = realpath(os.fsdecode(path))
        except Exception:
            raise PermissionError("access to this path is not allowed in a function")
        if write and not under(p, writes):
            raise PermissionError("write access to '%s' is not allowed in a function (only its temp dir %s)" % (p, work_dir))
        if not write and not under(p, reads) and not under(p, writes):
            raise PermissionError("read access to '%s' is not allowed in a function: add it to permissions.read" % p)

    def net_ok(host, port):
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        h = str(host).lower()
        if h in permitted_ips:
            return True
        for (ah, ap) in nets:
            if ah == h and (ap is None or ap == port):
                return True
        return False

    deny_exec = {"os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
                 "subprocess.Popen", "pty.spawn", "os.kill", "os.killpg", "os.startfile", "os.setuid",
                 "ctypes.dlopen", "ctypes.dlsym", "ctypes.cdata", "sys.addaudithook"}
    write_events = {"os.remove", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.truncate", "os.utime",
                    "os.link", "os.symlink", "os.rename", "shutil.rmtree", "shutil.copyfile", "shutil.move"}
    installed = [False]

    def hook(event, args):
        if event == "open":
            path, mode, flags = args
            write = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (isinstance(flags, int) and bool(flags & W))
            check(path, write)
        elif event in ("os.listdir", "os.scandir"):
            check(args[0] if args and args[0] is not None else ".", False)
        elif event in write_events:
            check(args[0], True)
            if event in ("os.rename", "os.link", "os.symlink", "shutil.copyfile", "shutil.move") and len(args) > 1:
                check(args[1], True)
        elif event in deny_exec:
            if event == "sys.addaudithook" and not installed[0]:
                return
            raise PermissionError("%s is not allowed in a function" % event)
        elif event == "import":
            if str(args[0]).split(".")[0] in ("ctypes", "_ctypes"):
                raise PermissionError("importing %s is not allowed in a function" % args[0])
        elif event == "socket.getaddrinfo":
            host, port = args[0], args[1]
            if resolving[0]:
                return
            p = port if isinstance(port, int) else (int(port) if isinstance(port, (str, bytes)) and str(port).isdigit() else None)
            if host is None or not net_ok(host, p):
                raise PermissionError("network access to '%s' is not allowed: add it to permissions.net" % (host,))
            resolving[0] = True
            try:
                for info in _socket.getaddrinfo(host, port):
                    permitted_ips.add(str(info[4][0]).lower())
            except Exception:
                pass
            finally:
                resolving[0] = False
        elif event in ("socket.connect", "socket.sendto", "socket.bind"):
            addr = args[1]
            if event == "socket.bind":
                return
            if not isinstance(addr, tuple) or not net_ok(addr[0], addr[1]):
                raise PermissionError("network access to %r is not allowed: add it to permissions.net" % (addr,))

    sys.addaudithook(hook)
    installed[0] = True

def _world_traversable(path):
    p = os.path.realpath(path)
    while True:
        try:
            if not os.stat(p).st_mode & 0o001:
                return False
        except OSError:
            return False
        parent = os.path.dirname(p)
        if parent == p:
            return True
        p = parent

_status_fd = [None]

def _peak_kb():
    # VmHWM resets at exec (ru_maxrss would report the parent's size at fork). The fd is opened
    # before the audit hook is installed, so reading it needs no file permission.
    try:
        os.lseek(_status_fd[0], 0, 0)
        for line in os.read(_status_fd[0], 16384).decode().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except Exception:
        pass
    return 0

def main():
    os.setsid()
    init = json.loads(_inp.readline())
    memory = int(init["memoryMb"])
    _State.log_limit = int(init["logLimit"])
    output_limit = int(init["outputLimit"])
    code_dir, work_dir = init["codeDir"], init["workDir"]
    _lim(resource.RLIMIT_AS, (memory + int(init["memoryOverheadMb"])) * MB)
    _lim(resource.RLIMIT_FSIZE, int(init["fileSizeMb"]) * MB)
    _lim(resource.RLIMIT_NOFILE, int(init["openFiles"]))
    _lim(resource.RLIMIT_CORE, 0)
    if os.getuid() == 0 and _world_traversable(sys.prefix) and _world_traversable(code_dir):
        _lim(resource.RLIMIT_NPROC, int(init["maxProcesses"]))
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
    os.chdir(work_dir)
    _status_fd[0] = os.open("/proc/self/status", os.O_RDONLY)
    sys.stdout = _Stream("stdout")
    sys.stderr = _Stream("stderr")
    sys.path.insert(0, code_dir)
    _guard(code_dir, work_dir, init["read"], init["net"])
    try:
        module = importlib.import_module(init["module"])
    except SyntaxError as e:
        send({"t": "init", "ok": False, "error": {"errorType": "Runtime.UserCodeSyntaxError", "errorMessage": "%s (%s, line %s)" % (e.msg, os.path.basename(str(e.filename)), e.lineno), "stack": []}})
        return
    except BaseException as e:
        send({"t": "init", "ok": False, "error": {"errorType": "Runtime.ImportModuleError", "errorMessage": "%s: %s" % (type(e).__name__, e), "stack": traceback.format_exc().splitlines()[-8:]}})
        return
    fn = getattr(module, init["handler"], None)
    if not callable(fn):
        send({"t": "init", "ok": False, "error": {"errorType": "Runtime.HandlerNotFound", "errorMessage": "module '%s' has no function '%s': define 'def %s(event, context):'" % (init["module"], init["handler"], init["handler"]), "stack": []}})
        return
    send({"t": "init", "ok": True})
    while True:
        line = _inp.readline()
        if not line:
            return
        msg = json.loads(line)
        if msg.get("t") != "invoke":
            continue
        _State.current = msg["id"]
        _State.log_bytes = 0
        used = resource.getrusage(resource.RUSAGE_SELF)
        cpu = int(used.ru_utime + used.ru_stime) + int(msg["timeoutMs"] / 1000) + 2
        _lim(resource.RLIMIT_CPU, cpu, resource.RLIM_INFINITY)
        out = None
        fatal = False
        try:
            result = fn(msg["event"], Context(msg["ctx"], memory))
            try:
                text = json.dumps(result)
                if len(text) > output_limit:
                    out = {"ok": False, "error": {"errorType": "OutputLimitExceeded", "errorMessage": "the result is %d bytes; the limit is %d bytes" % (len(text), output_limit), "stack": []}}
                else:
                    out = {"ok": True, "json": text}
            except (TypeError, ValueError) as e:
                out = {"ok": False, "error": {"errorType": "Runtime.InvalidResult", "errorMessage": "the handler's result is not JSON-serialisable: %s" % e, "stack": []}}
        except MemoryError:
            fatal = True
            out = {"ok": False, "error": {"errorType": "MemoryLimitExceeded", "errorMessage": "the function exceeded its memory limit of %d MB" % memory, "stack": []}}
        except BaseException as e:
            tb = [f for f in traceback.extract_tb(e.__traceback__)[1:] if f.filename != __file__]
            out = {"ok": False, "error": {"errorType": type(e).__name__, "errorMessage": str(e), "stack": [l.strip() for l in traceback.format_list(tb)]}}
            if isinstance(e, (SystemExit, KeyboardInterrupt)):
                fatal = True
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            pass
        _State.current = None
        out["t"] = "done"
        out["id"] = msg["id"]
        out["maxRssKb"] = _peak_kb()
        out["fatal"] = fatal
        send(out)
        if fatal:
            return

main()
`;
