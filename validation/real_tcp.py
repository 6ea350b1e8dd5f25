#!/usr/bin/python3
"""Reference latency of messages over REAL Linux TCP across an emulated link.

Used to validate eccsim's network models.  Debian 12 python3 stdlib + `ip` + `tc`, as root.

How the link is emulated (this kernel has no netem):
  * Each end of a link is a TUN device in its own network namespace; the route to the peer
    goes through it.  One forwarder process holds the TUN fds of both ends and copies every IP
    packet across after holding it for the one-way propagation delay (a heap ordered by due
    time; constant delay per link, so FIFO, no reordering).  Its lateness (write time minus due
    time) is measured and reported as the delay line's forwarding overhead.
  * Rate: a tc qdisc on each TUN's egress (tbf, or htb with one class per sender for the
    per-connection access links) paces packets at the link rate and holds the queue in the
    kernel, where TCP feels it (TCP Small Queues backpressure, drop-tail at --queue bytes).
    The delay line then adds each packet's own transmission time on a per-link (per-sender for
    access links) serialiser running at the same rate: a token bucket lets a packet through an
    idle link at once, a real link takes bytes/rate.  So: serialisation, then propagation,
    as on a real link.  Both directions get the same rate and delay.  Rates count IP bytes
    (a TUN carries no Ethernet header), MTU 1500.
  * single: S --(rate R, delay L)-- D.
    shared: S --(access: htb class per sender IP, rate A, delay La)-- M --(backhaul B, Lb)-- D;
    M is a router namespace.  Each sender uses its own source IP, so "one htb class per
    connection" is a match on the source (uplink) / destination (downlink) address.
  * Sender sockets live in S, the receiver in D; all timestamps are CLOCK_MONOTONIC, which
    network namespaces share.  TCP_NODELAY on both sides; congestion control --cc per socket
    (default cubic, the stock Linux default; this machine's global default is bbr).
Messages: the receiver knows the size and timestamps reading the last byte.
  new: t0 just before connect(); the sender sends and closes.
  close: as new, but the latency runs until the sender sees the receiver close the connection
    (the sender shuts down its side after the message; the receiver closes on that FIN): when
    SimGrid's ns-3 binding ends a transfer (on the sender socket's normal close).
  persistent: each rep opens a fresh connection and warms it with one unrecorded message of the
    same size (the receiver answers one byte), then t0 is taken just before send() of the
    measured message; so every rep starts from the same TCP state (cwnd grown by one message).
  shared: the N messages of a rep start in one tight loop (the spread is reported); each
    message's latency counts from its own t0.
Not modelled: random loss, jitter, reordering, link-layer framing; queues are drop-tail of
--queue bytes (large by default, so normally no loss).  The forwarder, senders and receiver
share the machine's CPUs, so sub-millisecond figures carry scheduling noise (reported).
A SIGKILLed run can leave namespaces named ev<pid>-*; remove them with `ip netns del`.
"""
import argparse
import array
import atexit
import ctypes
import errno
import fcntl
import heapq
import math
import multiprocessing
import os
import re
import select
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

SKIP_EXIT = 77
PORT = 5001
CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000
PR_SET_PDEATHSIG, PR_SET_TIMERSLACK = 1, 29
HDR = struct.Struct('<qB')         # message id, "reply with one byte" flag
BURST = 1600                       # token bucket depth: about one full packet
TCP_PAYLOAD_SHARE = 1448 / 1500    # TCP payload per IP byte (IPv4 + TCP + timestamps)
MAX_SENDERS = 240
COLUMNS = 'case,connection,bytes,concurrency,rep,message,latency_s'

libc = ctypes.CDLL(None, use_errno=True)


class Skip(Exception):
    """The machine cannot run the measurement (not root, no netns/tun/tc)."""


class HarnessError(Exception):
    """The measurement failed (timeout, unexpected socket error, ...)."""


def log(msg):
    print(f'real_tcp: {msg}', file=sys.stderr, flush=True)


# ---------------------------------------------------------------- arguments

class OneLineParser(argparse.ArgumentParser):
    def error(self, message):
        print(f'real_tcp: error: {message}', file=sys.stderr)
        sys.exit(2)


def rate_arg(text):
    """tc notation (SI): 20mbit = 20e6 bit/s.  Returns bit/s."""
    m = re.fullmatch(r'(\d+(?:\.\d*)?)(bit|kbit|mbit|gbit)', text.strip().lower())
    if not m or float(m.group(1)) <= 0:
        raise argparse.ArgumentTypeError(f'bad rate {text!r} (e.g. 20mbit)')
    return float(m.group(1)) * {'bit': 1, 'kbit': 1e3, 'mbit': 1e6, 'gbit': 1e9}[m.group(2)]


def delay_arg(text):
    """Returns seconds."""
    m = re.fullmatch(r'(\d+(?:\.\d*)?)(us|ms|s)', text.strip().lower())
    if not m or float(m.group(1)) > 5 * {'us': 1e6, 'ms': 1e3, 's': 1}[m.group(2)]:
        raise argparse.ArgumentTypeError(f'bad delay {text!r} (e.g. 10ms, at most 5s)')
    return float(m.group(1)) * {'us': 1e-6, 'ms': 1e-3, 's': 1}[m.group(2)]


def int_list(lo, hi):
    def parse(text):
        try:
            values = [int(v) for v in text.split(',')]
        except ValueError:
            raise argparse.ArgumentTypeError(f'bad list {text!r}') from None
        if not values or any(not lo <= v <= hi for v in values):
            raise argparse.ArgumentTypeError(f'values of {text!r} must be in [{lo}, {hi}]')
        return values
    return parse


def int_arg(lo, hi):
    def parse(text):
        values = int_list(lo, hi)(text)
        if len(values) != 1:
            raise argparse.ArgumentTypeError(f'one integer expected, got {text!r}')
        return values[0]
    return parse


def parse_args(argv):
    p = OneLineParser(description='Latency of messages over real Linux TCP, emulated link.')
    p.add_argument('--case', choices=['single', 'shared'], required=True)
    p.add_argument('--connection', default='new,close,persistent',
                   help='comma list of new,close,persistent')
    p.add_argument('--reps', type=int_arg(1, 10000), help='default 20 (single), 5 (shared)')
    p.add_argument('--out', required=True, help='CSV written atomically')
    p.add_argument('--sizes', type=int_list(16, 64 << 20), default=[784, 4096, 65536, 1048576])
    p.add_argument('--rate', type=rate_arg, default=rate_arg('20mbit'))
    p.add_argument('--delay', type=delay_arg, default=delay_arg('10ms'), help='one-way')
    p.add_argument('--concurrency', type=int_list(1, MAX_SENDERS), default=[1, 10, 50, 200])
    p.add_argument('--size', type=int_arg(16, 64 << 20), default=784)
    p.add_argument('--access-rate', type=rate_arg, default=rate_arg('20mbit'))
    p.add_argument('--access-delay', type=delay_arg, default=delay_arg('2ms'))
    p.add_argument('--backhaul-rate', type=rate_arg, default=rate_arg('100mbit'))
    p.add_argument('--backhaul-delay', type=delay_arg, default=delay_arg('20ms'))
    p.add_argument('--queue', type=int_arg(3000, 1 << 30), default=4000000,
                   help='drop-tail queue per link direction, bytes')
    p.add_argument('--cc', default='cubic', help='TCP congestion control, set per socket')
    p.add_argument('--timeout', type=int_arg(10, 86400), default=600,
                   help='whole run bound, seconds')
    a = p.parse_args(argv)
    conns = a.connection.split(',')
    if not conns or any(c not in ('new', 'close', 'persistent') for c in conns):
        p.error(f'--connection: bad value {a.connection!r} (new,close,persistent)')
    if not re.fullmatch(r'[a-z0-9_]+', a.cc):
        p.error(f'--cc: bad value {a.cc!r}')
    a.connection = conns
    a.reps = a.reps or (20 if a.case == 'single' else 5)
    return a


# ---------------------------------------------------------------- namespaces, TUN, tc

def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, f'setns: {os.strerror(e)}')


def child_init():
    """Children die with the parent; the parent alone handles Ctrl-C and stops them."""
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


class Lab:
    """Owns namespaces, TUN fds and child processes; cleanup() removes them all."""

    def __init__(self):
        self.prefix = f'ev{os.getpid()}'
        self.namespaces, self.children, self.tun_fds = [], [], []
        self.home = os.open('/proc/self/ns/net', os.O_RDONLY | os.O_CLOEXEC)
        self.done = False

    def sh(self, cmd, stdin=None, skip=None):
        """Run ip/tc; failure raises Skip(skip) when given (capability probe), else HarnessError."""
        try:
            r = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=30)
        except subprocess.TimeoutExpired:
            raise HarnessError(f'{" ".join(cmd[:4])} timed out') from None
        if r.returncode != 0:
            msg = f'{" ".join(cmd[:6])}: {r.stderr.strip().splitlines()[-1:] or r.returncode}'
            raise Skip(f'{skip} ({msg})') if skip else HarnessError(msg)

    def add_ns(self, role):
        name = f'{self.prefix}-{role}'
        self.sh(['ip', 'netns', 'add', name], skip='cannot create network namespaces')
        self.namespaces.append(name)
        self.sh(['ip', '-n', name, 'link', 'set', 'lo', 'up'])
        with self.inside(name):   # /proc/sys/net is per namespace: the opener's
            write_sysctl('net/ipv6/conf/all/disable_ipv6', '1')
            write_sysctl('net/ipv6/conf/default/disable_ipv6', '1')
            write_sysctl('net/ipv4/tcp_max_syn_backlog', '4096')
        return name

    def inside(self, ns):
        lab = self

        class Ctx:
            def __enter__(self):
                fd = os.open(f'/run/netns/{ns}', os.O_RDONLY | os.O_CLOEXEC)
                try:
                    setns(fd)
                finally:
                    os.close(fd)

            def __exit__(self, *exc):
                setns(lab.home)
        return Ctx()

    def tun(self, ns, ifname, addrs):
        """Create TUN `ifname` inside `ns` (a TUN belongs to the opener's namespace)."""
        with self.inside(ns):
            try:
                fd = os.open('/dev/net/tun', os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
            except OSError as e:
                raise Skip(f'cannot open /dev/net/tun: {e.strerror}') from None
            self.tun_fds.append(fd)
            try:
                fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH22x', ifname.encode(),
                                                        IFF_TUN | IFF_NO_PI))
            except OSError as e:
                raise Skip(f'cannot create a TUN device: {e.strerror}') from None
        lines = [f'addr add {a} dev {ifname}' for a in addrs]
        lines.append(f'link set {ifname} up mtu 1500 txqueuelen 1000')
        self.sh(['ip', '-n', ns, '-batch', '-'], stdin='\n'.join(lines) + '\n')
        return fd

    def tc(self, ns, lines):
        self.sh(['tc', '-n', ns, '-batch', '-'], stdin='\n'.join(lines) + '\n',
                skip='tc qdisc (tbf/htb/u32) unavailable')

    def spawn(self, target, *args):
        p = multiprocessing.get_context('fork').Process(target=target, args=args, daemon=True)
        p.start()
        self.children.append(p)
        return p

    def cleanup(self):
        """Idempotent; safe from finally, atexit and after signals."""
        if self.done:
            return
        self.done = True
        signal.alarm(0)
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM):
            signal.signal(s, signal.SIG_IGN)
        try:
            setns(self.home)
        except OSError:
            pass
        for p in self.children:
            if p.is_alive():
                p.terminate()
                p.join(2)
                if p.is_alive():
                    p.kill()
                    p.join(2)
        for fd in self.tun_fds:
            try:
                os.close(fd)
            except OSError:
                pass
        for ns in reversed(self.namespaces):
            subprocess.run(['ip', 'netns', 'del', ns], capture_output=True, timeout=30)
        left = subprocess.run(['ip', 'netns', 'list'], capture_output=True, text=True,
                              timeout=30).stdout
        if any(line.startswith(self.prefix + '-') for line in left.splitlines()):
            log(f'warning: namespaces {self.prefix}-* still present')


def set_cc(sock, cc):
    """Per-socket congestion control (the per-namespace sysctl is not writable here)."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, cc.encode())
    except OSError as e:
        raise HarnessError(f'congestion control {cc!r}: {e.strerror}') from None


def write_sysctl(path, value):
    with open(f'/proc/sys/{path}', 'w') as f:
        f.write(value)


def tbf(dev, rate, queue):
    return [f'qdisc add dev {dev} root tbf rate {int(rate)}bit burst {BURST} limit {queue}']


def htb_per_host(dev, rate, hosts, field, queue):
    """One htb class (rate = ceil = the access rate) per host address; `field` src or dst."""
    r = f'rate {int(rate)}bit ceil {int(rate)}bit burst {BURST} cburst {BURST} quantum {BURST}'
    lines = [f'qdisc add dev {dev} root handle 1: htb default 2',
             f'class add dev {dev} parent 1: classid 1:2 htb {r}']
    for i, ip in enumerate(hosts):
        cls = f'1:{i + 10:x}'
        lines += [f'class add dev {dev} parent 1: classid {cls} htb {r}',
                  f'qdisc add dev {dev} parent {cls} bfifo limit {queue}',
                  f'filter add dev {dev} parent 1: protocol ip prio 1 u32 '
                  f'match ip {field} {ip}/32 flowid {cls}']
    return lines


class Topology:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def build_single(lab, a):
    s, d = lab.add_ns('s'), lab.add_ns('d')
    src = ['10.9.1.10']
    fs = lab.tun(s, 'tun0', ['10.9.1.10/24'])
    fd = lab.tun(d, 'tun0', ['10.9.1.2/24'])
    lab.tc(s, tbf('tun0', a.rate, a.queue))
    lab.tc(d, tbf('tun0', a.rate, a.queue))
    return Topology(cc=a.cc, sender_ns=s, receiver_ns=d, dst=('10.9.1.2', PORT), src_ips=src,
                    links=[(fs, fd, a.delay, a.rate, None, None)],
                    one_way=a.delay, bottleneck=a.rate,
                    describe=f'rate {a.rate / 1e6:g} Mbit/s, one-way delay {a.delay * 1e3:g} ms')


def build_shared(lab, a):
    s, m, d = (lab.add_ns(r) for r in ('s', 'm', 'd'))
    src = [f'10.9.1.{10 + i}' for i in range(max(a.concurrency))]
    fs = lab.tun(s, 'tun0', [ip + '/24' for ip in src])
    fma = lab.tun(m, 'tuna', ['10.9.1.1/24'])
    fmb = lab.tun(m, 'tunb', ['10.9.2.1/24'])
    fd = lab.tun(d, 'tun0', ['10.9.2.2/24'])
    lab.sh(['ip', '-n', s, 'route', 'add', '10.9.2.0/24', 'dev', 'tun0'])
    lab.sh(['ip', '-n', d, 'route', 'add', '10.9.1.0/24', 'dev', 'tun0'])
    with lab.inside(m):
        write_sysctl('net/ipv4/ip_forward', '1')
    lab.tc(s, htb_per_host('tun0', a.access_rate, src, 'src', a.queue))   # access uplinks
    lab.tc(m, htb_per_host('tuna', a.access_rate, src, 'dst', a.queue))   # access downlinks
    lab.tc(m, tbf('tunb', a.backhaul_rate, a.queue))                      # backhaul to D
    lab.tc(d, tbf('tun0', a.backhaul_rate, a.queue))                      # backhaul from D
    return Topology(cc=a.cc, sender_ns=s, receiver_ns=d, dst=('10.9.2.2', PORT), src_ips=src,
                    links=[(fs, fma, a.access_delay, a.access_rate, 'src', 'dst'),
                           (fmb, fd, a.backhaul_delay, a.backhaul_rate, None, None)],
                    one_way=a.access_delay + a.backhaul_delay,
                    bottleneck=min(a.access_rate, a.backhaul_rate),
                    describe=(f'access {a.access_rate / 1e6:g} Mbit/s + {a.access_delay * 1e3:g} ms'
                              f' per sender, backhaul {a.backhaul_rate / 1e6:g} Mbit/s + '
                              f'{a.backhaul_delay * 1e3:g} ms'))


# ---------------------------------------------------------------- delay line

def forwarder_main(links, ctl):
    """Copy packets between the TUN ends of each link.  A packet read at t finishes its
    transmission at done = max(t, previous done on that link) + bytes / rate (the qdisc has
    already paced it; this adds its own transmission time, which an idle token bucket lets
    through at once) and is written to the far end at done + delay."""
    child_init()
    libc.prctl(PR_SET_TIMERSLACK, 1000, 0, 0, 0)    # wake within ~1 us of the due time
    try:
        os.nice(-10)          # less jitter from the concurrent build; it mostly sleeps
    except OSError:
        pass
    peer = {}                 # in fd -> (out fd, delay ns, ns per byte, per-host key offset)
    for x, y, delay, rate, key_xy, key_yx in links:
        per_byte = 8e9 / rate
        peer[x] = (y, int(delay * 1e9), per_byte, IP_FIELD[key_xy])
        peer[y] = (x, int(delay * 1e9), per_byte, IP_FIELD[key_yx])
    watch = list(peer) + [ctl.fileno()]
    heap, seq, busy, late, errors = [], 0, {}, array.array('q'), 0
    while True:
        timeout = None
        if heap:
            timeout = max(0.0, (heap[0][0] - time.monotonic_ns()) / 1e9)
        ready, _, _ = select.select(watch, [], [], timeout)
        for fd in ready:
            if fd == ctl.fileno():
                ctl.recv()
                ctl.send(forwarder_stats(late, errors))
                return
            out, hold, per_byte, key_at = peer[fd]
            for _ in range(256):
                try:
                    pkt = os.read(fd, 65536)
                except BlockingIOError:
                    break
                link = (fd, pkt[key_at:key_at + 4]) if key_at else fd
                done = max(time.monotonic_ns(), busy.get(link, 0)) + int(len(pkt) * per_byte)
                busy[link] = done
                heapq.heappush(heap, (done + hold, seq, out, pkt))
                seq += 1
        now = time.monotonic_ns()
        while heap and heap[0][0] <= now:
            due, _, out, pkt = heapq.heappop(heap)
            try:
                os.write(out, pkt)
            except OSError:
                errors += 1
            now = time.monotonic_ns()
            late.append(now - due)


IP_FIELD = {None: 0, 'src': 12, 'dst': 16}   # offset of the IPv4 address keying a per-host link


def forwarder_stats(late, errors):
    if not late:
        return {'packets': 0, 'errors': errors}
    s = sorted(late)
    return {'packets': len(s), 'errors': errors, 'mean_us': sum(s) / len(s) / 1e3,
            'p50_us': s[len(s) // 2] / 1e3, 'p99_us': s[int(len(s) * 0.99)] / 1e3,
            'max_us': s[-1] / 1e3}


# ---------------------------------------------------------------- receiver

def receiver_main(ns, cc, ctl):
    """In namespace D: read fixed-size messages, report (id, t_half, t_end) to the parent."""
    child_init()
    fd = os.open(f'/run/netns/{ns}', os.O_RDONLY)
    setns(fd)
    os.close(fd)
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    set_cc(lsock, cc)                       # accepted sockets inherit it
    lsock.bind(('0.0.0.0', PORT))
    lsock.listen(1024)
    lsock.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(lsock, selectors.EVENT_READ, None)
    sel.register(ctl, selectors.EVENT_READ, 'ctl')
    ctl.send(('ready',))
    buf = memoryview(bytearray(1 << 20))
    size, reports = 1, []
    while True:
        for key, _ in sel.select(timeout=1.0):
            if key.fileobj is lsock:
                accept_all(lsock, sel)
            elif key.data == 'ctl':
                msg = ctl.recv()
                if msg[0] == 'stop':
                    return
                size = msg[1]
                ctl.send(('size', size))
            else:
                receive(key.fileobj, key.data, buf, size, reports, sel)
        if reports:
            ctl.send(('msgs', reports))
            reports = []


def accept_all(lsock, sel):
    while True:
        try:
            c, _ = lsock.accept()
        except BlockingIOError:
            return
        c.setblocking(False)
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sel.register(c, selectors.EVENT_READ, {'count': 0, 'hdr': bytearray(), 'half': 0})


def receive(sock, st, buf, size, reports, sel):
    try:
        n = sock.recv_into(buf)
    except (BlockingIOError, InterruptedError):
        return
    except OSError:
        n = 0
    now = time.monotonic_ns()
    if n == 0:
        sel.unregister(sock)
        sock.close()
        return
    off = 0
    while off < n:
        take = min(n - off, size - st['count'])
        if len(st['hdr']) < HDR.size:
            st['hdr'] += buf[off:off + min(take, HDR.size - len(st['hdr']))]
        st['count'] += take
        off += take
        if not st['half'] and st['count'] * 2 >= size:
            st['half'] = now
        if st['count'] == size:
            mid, reply = HDR.unpack(st['hdr'])
            reports.append((mid, st['half'], now))
            if reply:
                try:
                    sock.send(b'\x01')
                except OSError:
                    pass
            st.update(count=0, hdr=bytearray(), half=0)


class Receiver:
    """Parent-side handle on the receiver process."""

    def __init__(self, conn):
        self.conn, self.got = conn, {}

    def expect(self, msg, timeout=10):
        end = time.monotonic() + timeout
        while True:
            if not self.conn.poll(max(0.0, end - time.monotonic())):
                raise HarnessError(f'receiver did not answer {msg!r}')
            m = self.conn.recv()
            if m[0] == msg:
                return m
            self.take(m)

    def take(self, m):
        if m[0] == 'msgs':
            for mid, half, end in m[1]:
                self.got[mid] = (half, end)

    def set_size(self, size):
        self.conn.send(('size', size))
        self.expect('size')

    def drain(self):
        while self.conn.poll(0):
            self.take(self.conn.recv())


# ---------------------------------------------------------------- sender (runs inside S)

def payload(mid, size, reply=False):
    return HDR.pack(mid, 1 if reply else 0) + bytes(size - HDR.size)


def new_sockets(topo, n):
    socks = []
    for i in range(n):
        s = socket.socket()
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        set_cc(s, topo.cc)
        s.bind((topo.src_ips[i], 0))
        s.setblocking(False)
        socks.append(s)
    return socks


def close_all(socks):
    for s in socks:
        try:
            s.close()
        except OSError:
            pass


def remaining(deadline, what):
    left = deadline - time.monotonic()
    if left <= 0:
        raise HarnessError(f'stuck: {what} not done within its time bound')
    return left


def connect_all(topo, socks, deadline):
    """Connect (not timed) and wait until every connection is established."""
    sel = selectors.DefaultSelector()
    for s in socks:
        if s.connect_ex(topo.dst) not in (0, errno.EINPROGRESS):
            raise HarnessError('connect failed')
        sel.register(s, selectors.EVENT_WRITE)
    pending = len(socks)
    while pending:
        for key, _ in sel.select(remaining(deadline, f'connecting {len(socks)} sockets')):
            err = key.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                raise HarnessError(f'connect: {os.strerror(err)}')
            sel.unregister(key.fileobj)
            pending -= 1
    sel.close()


def send_and_wait(rx, socks, payloads, ids, deadline, what, connect_to=None, close=False,
                  until_eof=False):
    """Start every message (t0 taken just before connect, or just before the first send),
    drive the sends, and wait until the receiver has reported every id (until_eof: and until
    each sender, having shut down its side, sees the receiver close).
    Returns (latency ns per message, t0 per message): to the receiver's last byte, or to the
    sender's end of file with until_eof."""
    sel = selectors.DefaultSelector()
    t0, off, n = [0] * len(socks), [0] * len(socks), len(socks)
    eof = [0] * len(socks)

    def sent_all(i, s):
        if until_eof:
            s.shutdown(socket.SHUT_WR)
            sel.register(s, selectors.EVENT_READ, ('eof', i))
        elif close:
            s.close()

    for mid in ids:
        rx.got.pop(mid, None)
    for i, s in enumerate(socks):              # the barrier: all start in one tight loop
        t0[i] = time.monotonic_ns()
        if connect_to:
            if s.connect_ex(connect_to) not in (0, errno.EINPROGRESS):
                raise HarnessError('connect failed')
        else:
            off[i] = try_send(s, payloads[i], 0)
        if off[i] < len(payloads[i]):
            sel.register(s, selectors.EVENT_WRITE, i)
        else:
            sent_all(i, s)
    sel.register(rx.conn, selectors.EVENT_READ, 'rx')
    while ((got := sum(1 for mid in ids if mid in rx.got)) < n
           or (until_eof and not all(eof))):
        for key, _ in sel.select(remaining(deadline, f'{what} ({got}/{n} received)')):
            if key.data == 'rx':
                rx.drain()
                continue
            if isinstance(key.data, tuple):              # ('eof', i): the receiver's close
                now, i = time.monotonic_ns(), key.data[1]
                try:
                    data = key.fileobj.recv(64)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b''
                if not data:
                    eof[i] = now
                    sel.unregister(key.fileobj)
                continue
            i, s = key.data, key.fileobj
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                raise HarnessError(f'{what}: socket error {os.strerror(err)}')
            off[i] = try_send(s, payloads[i], off[i])
            if off[i] == len(payloads[i]):
                sel.unregister(s)
                sent_all(i, s)
    sel.close()
    if until_eof:
        return [eof[i] - t0[i] for i in range(n)], t0
    return [rx.got[mid][1] - t0[i] for i, mid in enumerate(ids)], t0


def try_send(s, data, off):
    try:
        return off + s.send(memoryview(data)[off:])
    except (BlockingIOError, InterruptedError):
        return off


def wait_replies(socks, deadline, what):
    for s in socks:
        s.settimeout(remaining(deadline, what))
        try:
            if s.recv(1) != b'\x01':
                raise HarnessError(f'{what}: connection closed')
        except socket.timeout:
            raise HarnessError(f'stuck: {what}: no reply') from None
        s.setblocking(False)


class Runner:
    def __init__(self, topo, rx):
        self.topo, self.rx, self.trial = topo, rx, 0

    def ids(self, n, base=0):
        self.trial += 1
        return [self.trial * 1_000_000 + base + i for i in range(n)]

    def bound(self, size, n):
        """Generous time bound for one rep: 3x the serialisation time plus 60 RTTs plus 5 s."""
        return time.monotonic() + 3 * 8 * size * n / self.topo.bottleneck / TCP_PAYLOAD_SHARE \
            + 120 * self.topo.one_way + 5

    def new(self, size, n, what):
        ids = self.ids(n)
        socks = new_sockets(self.topo, n)
        try:
            lat, t0 = send_and_wait(self.rx, socks, [payload(m, size) for m in ids], ids,
                                    self.bound(size, n), what, connect_to=self.topo.dst,
                                    close=True)
        finally:
            close_all(socks)
        return lat, t0

    def close(self, size, n, what):
        ids = self.ids(n)
        socks = new_sockets(self.topo, n)
        try:
            return send_and_wait(self.rx, socks, [payload(m, size) for m in ids], ids,
                                 self.bound(size, n), what, connect_to=self.topo.dst,
                                 until_eof=True)
        finally:
            close_all(socks)

    def persistent(self, size, n, what):
        deadline = self.bound(2 * size, n)
        socks = new_sockets(self.topo, n)
        try:
            connect_all(self.topo, socks, deadline)
            warm = self.ids(n, 500_000)
            send_and_wait(self.rx, socks, [payload(m, size, reply=True) for m in warm], warm,
                          deadline, what + ' (warm-up)')
            wait_replies(socks, deadline, what + ' (warm-up)')
            ids = self.ids(n)
            return send_and_wait(self.rx, socks, [payload(m, size) for m in ids], ids,
                                 deadline, what)
        finally:
            close_all(socks)

    def quiesce(self):
        """Let FINs/ACKs of the last rep drain so reps do not overlap."""
        time.sleep(4 * self.topo.one_way + 0.02)
        self.rx.drain()


# ---------------------------------------------------------------- self-check and measurement

def self_check(runner, topo):
    rx = runner.rx
    rx.set_size(64)
    [s] = new_sockets(topo, 1)
    rtts = []
    try:
        connect_all(topo, [s], time.monotonic() + 10)
        s.settimeout(5 + 10 * topo.one_way)
        for k in range(21):                              # blocking ping-pong, 64 B then 1 B
            [mid] = runner.ids(1)
            t = time.monotonic_ns()
            s.sendall(payload(mid, 64, reply=True))
            if s.recv(1) != b'\x01':
                raise HarnessError('ping: connection closed')
            if k:                                        # the first one is a warm-up
                rtts.append(time.monotonic_ns() - t)
    except socket.timeout:
        raise HarnessError('stuck: self-check ping got no reply') from None
    finally:
        close_all([s])
    rx.drain()
    rtts.sort()
    want = 2 * topo.one_way + sum((64 + 1 + 2 * 52) * 8 / link[3] for link in topo.links)
    med = rtts[len(rtts) // 2] / 1e9
    log(f'self-check: link {topo.describe}')
    log(f'self-check: RTT of a 64 B / 1 B ping-pong: min {rtts[0] / 1e6:.3f} ms, median '
        f'{med * 1e3:.3f} ms vs 2 x delay + serialisation = {want * 1e3:.3f} ms '
        f'(median +{(med - want) * 1e6:.0f} us: TUN, delay line, scheduling)')
    runner.quiesce()
    size = 2_500_000
    rx.set_size(size)
    lat, _ = runner.new(size, 1, 'throughput check')
    half, end = rx.got[runner.trial * 1_000_000]
    mbit = size / 2 * 8 / ((end - half) / 1e9) / 1e6
    rate = topo.bottleneck / 1e6
    log(f'self-check: 2.5 MB transfer took {lat[0] / 1e9:.3f} s; throughput over its second '
        f'half {mbit:.2f} Mbit/s = {mbit / rate:.3f} of {rate:g} Mbit/s '
        f'(TCP payload ceiling {TCP_PAYLOAD_SHARE:.3f} with 1500 B packets)')
    if mbit / rate < 0.9:
        log('warning: the emulated link is slower than configured (the userspace delay line '
            'forwards a few hundred Mbit/s at most): results are not faithful at this rate')
    runner.quiesce()


def measure(runner, a):
    rows, spreads = [], {}
    points = ([(s, 1) for s in a.sizes] if a.case == 'single'
              else [(a.size, n) for n in a.concurrency])
    for conn in a.connection:
        for size, n in points:
            runner.rx.set_size(size)
            for rep in range(a.reps):
                what = f'{conn} connection, {size} B x {n}, rep {rep}'
                lat, t0 = getattr(runner, conn)(size, n, what)
                rows += [(a.case, conn, size, n, rep, i, v / 1e9) for i, v in enumerate(lat)]
                spreads.setdefault((conn, size, n), []).append((max(t0) - min(t0)) / 1e9)
                runner.quiesce()
    return rows, spreads


def tcp_retransmissions(lab, ns):
    with lab.inside(ns):                     # /proc/net follows the reader's namespace
        with open('/proc/self/net/snmp') as f:
            tcp = [line.split() for line in f if line.startswith('Tcp:')]
    return int(tcp[1][tcp[0].index('RetransSegs')])


def loss_report(lab, topo):
    """Drops in the emulated queues and TCP retransmissions: both should be 0 normally."""
    drops = 0
    for ns in lab.namespaces:
        r = subprocess.run(['tc', '-n', ns, '-s', 'qdisc', 'show'], capture_output=True,
                           text=True, timeout=30)
        drops += sum(int(n) for n in re.findall(r'dropped (\d+)', r.stdout))
    retrans = sum(tcp_retransmissions(lab, ns) for ns in (topo.sender_ns, topo.receiver_ns))
    log(f'losses: {drops} packets dropped by the link queues, {retrans} TCP segments '
        f'retransmitted (sender + receiver namespaces, whole run)')


def write_csv(path, rows):
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=d, prefix='.real_tcp.', suffix='.csv')
    try:
        with os.fdopen(fd, 'w') as f:
            f.write(COLUMNS + '\n')
            for r in rows:
                f.write(f'{r[0]},{r[1]},{r[2]},{r[3]},{r[4]},{r[5]},{r[6]:.9f}\n')
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def summarize(rows, spreads):
    groups = {}
    for r in rows:
        groups.setdefault((r[1], r[2], r[3]), []).append(r[6])
    log(f'{"connection":<11}{"bytes":>9}{"conc":>6}{"n":>6}{"mean_ms":>10}{"p50_ms":>10}'
        f'{"p95_ms":>10}{"max_ms":>10}{"start_spread_ms":>17}')
    for (conn, size, n), v in groups.items():
        v.sort()
        p95 = v[max(0, math.ceil(0.95 * len(v)) - 1)]
        log(f'{conn:<11}{size:>9}{n:>6}{len(v):>6}{sum(v) / len(v) * 1e3:>10.2f}'
            f'{v[len(v) // 2] * 1e3:>10.2f}{p95 * 1e3:>10.2f}{v[-1] * 1e3:>10.2f}'
            f'{max(spreads[(conn, size, n)]) * 1e3:>17.2f}')


# ---------------------------------------------------------------- main

def preflight():
    if os.geteuid() != 0:
        raise Skip('not root')
    for tool in ('ip', 'tc'):
        if not shutil.which(tool):
            raise Skip(f'{tool} not found')
    if not os.path.exists('/dev/net/tun'):
        raise Skip('/dev/net/tun missing')
    if not hasattr(libc, 'setns'):
        raise Skip('no setns in libc')


class Interrupted(BaseException):
    """SIGINT/SIGTERM: unwind so that cleanup runs."""


def on_signal(signum, _frame):
    raise Interrupted(signum)


def on_alarm(_signum, _frame):
    raise HarnessError('whole run exceeded --timeout')


def main(argv):
    a = parse_args(argv)
    try:
        preflight()
    except Skip as e:
        log(f'skipped: {e}')
        return SKIP_EXIT
    lab = Lab()
    atexit.register(lab.cleanup)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(a.timeout)
    try:
        topo = (build_single if a.case == 'single' else build_shared)(lab, a)
        fwd_parent, fwd_child = multiprocessing.Pipe()
        lab.spawn(forwarder_main, topo.links, fwd_child)
        rx_parent, rx_child = multiprocessing.Pipe()
        lab.spawn(receiver_main, topo.receiver_ns, a.cc, rx_child)
        for fd in lab.tun_fds:                 # only the forwarder holds the TUNs now
            os.close(fd)
        lab.tun_fds = []
        rx = Receiver(rx_parent)
        rx.expect('ready')
        with lab.inside(topo.sender_ns):
            runner = Runner(topo, rx)
            self_check(runner, topo)
            rows, spreads = measure(runner, a)
        loss_report(lab, topo)
        fwd_parent.send('stop')
        if not fwd_parent.poll(10):
            raise HarnessError('forwarder did not report')
        st = fwd_parent.recv()
        write_csv(a.out, rows)
        summarize(rows, spreads)
        if st['packets']:
            log(f'delay line: {st["packets"]} packets, lateness (write - due) mean '
                f'{st["mean_us"]:.1f} us, p50 {st["p50_us"]:.1f} us, p99 {st["p99_us"]:.1f} us,'
                f' max {st["max_us"]:.1f} us, write errors {st["errors"]}')
        log(f'wrote {len(rows)} rows to {a.out}')
        return 0
    except Skip as e:
        lab.cleanup()
        log(f'skipped: {e}')
        return SKIP_EXIT
    except HarnessError as e:
        lab.cleanup()
        log(f'error: {e}')
        return 1
    except Interrupted as e:
        lab.cleanup()
        log(f'interrupted by signal {e.args[0]}; cleaned up, no CSV written')
        return 128 + e.args[0]
    finally:
        lab.cleanup()


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
