# A Godot 4 ENetConnection / ENetPacketPeer peer for jenet's interop tests, run headless:
#   godot --headless -s godot4_peer.gd -- MODE key=value...
# The Java side (Godot4Peer) copies this script and the payload files into a directory DIR and
# mirrors every mode in Java (JenetMirror), so both can be compared line for line.
#
# Options common to all modes: dir=DIR (payloads, plan and signal files), service=MS (the timeout
# given to every service() call: 0 busy-polls), compress=N (Godot's CompressionMode number).
#
# Lines the tests read (everything else is Godot's own output):
#   event connect data=D channels=C | event disconnect data=D | event error
#   event receive channel=C flags=F size=S sha=SHA256HEX
#   listening port=P maxchannels=M  (server)   and   exit  (last line of every mode)
# plus the mode-specific lines documented at each run_* function.
extends SceneTree

# Packet kind by channel, modulo 5: reliable, unreliable sequenced, unsequenced,
# unreliable fragment, reliable.
const KIND_FLAGS = [1, 0, 2, 8, 1]

var opt = {}
var conn: ENetConnection
var wait_ms = 0
var dir = ""


func _init():
	var user = OS.get_cmdline_user_args()
	var mode = user[0]
	for i in range(1, user.size()):
		var kv = user[i].split("=", true, 1)
		opt[kv[0]] = kv[1] if kv.size() > 1 else ""
	wait_ms = num("service", 0)
	dir = opt.get("dir", ".")
	match mode:
		"server":
			run_server()
		"traffic":
			run_traffic()
		"connect":
			run_connect()
		"disconnect-later":
			run_disconnect_later()
		"reset":
			run_reset()
		"timeout":
			run_timeout()
		"stats":
			run_stats()
		"socket-send":
			run_socket_send()
		"service-timeouts":
			run_service_timeouts()
		"limits":
			run_limits()
		"socket-error":
			run_socket_error()
		_:
			print("unknown mode ", mode)
	print("exit")
	quit()


func num(key, default_value):
	return int(opt.get(key, str(default_value)))


func now():
	return Time.get_ticks_msec()


func sha(data: PackedByteArray) -> String:
	var h = HashingContext.new()
	h.start(HashingContext.HASH_SHA256)
	if data.size() > 0:
		h.update(data)
	return h.finish().hex_encode()


func payload(seed_value, size) -> PackedByteArray:
	return FileAccess.get_file_as_bytes("%s/%d-%d.bin" % [dir, seed_value, size])


func signalled(name) -> bool:
	return FileAccess.file_exists(dir + "/" + name)


# A client host (one peer, 255 channels) with the requested compression.
func make_client():
	conn = ENetConnection.new()
	var err = conn.create_host(1, 0)
	if err != OK:
		print("create_host error ", err)
	conn.compress(num("compress", 0))


# connect_to_host to host:port with the options' channels and data; applies ctimeout=L,MIN,MAX
# to the connecting peer.
func connect_peer(channels, data) -> ENetPacketPeer:
	var peer = conn.connect_to_host(opt.get("host", "127.0.0.1"), num("port", 0), channels, data)
	if opt.has("ctimeout"):
		var t = opt["ctimeout"].split(",")
		peer.set_timeout(int(t[0]), int(t[1]), int(t[2]))
	return peer


# One service() call; prints the event and returns [type, peer, data, channel, packet].
func next_event() -> Array:
	var e = conn.service(wait_ms)
	var t = e[0]
	var p = e[1]
	if t == ENetConnection.EVENT_CONNECT:
		print("event connect data=%d channels=%d" % [e[2], p.get_channels()])
	elif t == ENetConnection.EVENT_DISCONNECT:
		print("event disconnect data=%d" % e[2])
	elif t == ENetConnection.EVENT_RECEIVE:
		var flags = p.get_packet_flags()
		var data = p.get_packet()
		e.append(data)
		print("event receive channel=%d flags=%d size=%d sha=%s" % [e[3], flags, data.size(), sha(data)])
	elif t == ENetConnection.EVENT_ERROR:
		print("event error")
	return e


# Services until an event of the given type, or prints "deadline" and returns null.
func until_event(type, within_ms):
	var deadline = now() + within_ms
	while now() < deadline:
		var e = next_event()
		if e[0] == type:
			return e
	print("deadline waiting for event ", type)
	return null


# Services until the Java side creates the signal file NAME; prints "deadline" if it never does.
func until_signal(name, within_ms) -> bool:
	var deadline = now() + within_ms
	while now() < deadline:
		if signalled(name):
			return true
		next_event()
	print("deadline waiting for signal ", name)
	return false


# Server: options port, channels (create), limit (channel_limit), refuse=1, echo=1 (send every
# packet back on its channel with the channel's KIND_FLAGS), ptimeout=L,MIN,MAX and ping=MS
# (applied to each peer at CONNECT), greet=1 (a reliable 3-byte packet on channel 0 at CONNECT),
# disconnects=N (exit after N DISCONNECT events; default 1). Exits early on signal "stop".
func run_server():
	conn = ENetConnection.new()
	var err = conn.create_host_bound("127.0.0.1", num("port", 0), 4, num("channels", 0))
	if err != OK:
		print("create_host_bound error ", err)
		return
	conn.compress(num("compress", 0))
	if opt.has("limit"):
		conn.channel_limit(num("limit", 0))
	if opt.get("refuse", "") == "1":
		conn.refuse_new_connections(true)
	print("listening port=%d maxchannels=%d" % [conn.get_local_port(), conn.get_max_channels()])
	var disconnects = 0
	var deadline = now() + num("lifetime", 60000)
	while disconnects < num("disconnects", 1) and now() < deadline and not signalled("stop"):
		var e = next_event()
		if e[0] == ENetConnection.EVENT_CONNECT:
			var p = e[1]
			if opt.has("ptimeout"):
				var t = opt["ptimeout"].split(",")
				p.set_timeout(int(t[0]), int(t[1]), int(t[2]))
			if opt.has("ping"):
				p.ping_interval(num("ping", 0))
			if opt.get("greet", "") == "1":
				p.send(0, PackedByteArray([1, 2, 3]), ENetPacketPeer.FLAG_RELIABLE)
		elif e[0] == ENetConnection.EVENT_RECEIVE and opt.get("echo", "") == "1":
			e[1].send(e[3], e[4], KIND_FLAGS[e[3] % 5])
		elif e[0] == ENetConnection.EVENT_DISCONNECT:
			disconnects += 1
	# Let the last acknowledgements leave before the host goes away.
	conn.flush()


# Traffic client: connects with channels=N (default 5), turns off the throttle's deceleration
# (throttle_configure(5000, 2, 0), which the server adopts too) so that ENet's packet throttle does
# not drop unreliable packets when the round-trip time swings, and sends plan.txt (lines "STEP CHANNEL
# SEED SIZE", kind by channel) step by step: after each step it waits for the echo on channel 0
# (every step ends with a channel-0 packet). Prints "sent-all", then services until the server
# disconnects it.
func run_traffic():
	make_client()
	var peer = connect_peer(num("channels", 5), 0)
	if until_event(ENetConnection.EVENT_CONNECT, 10000) == null:
		return
	peer.throttle_configure(5000, 2, 0)
	var steps = []
	for line in FileAccess.get_file_as_string(dir + "/plan.txt").split("\n", false):
		var f = line.split(" ")
		var step = int(f[0])
		while steps.size() <= step:
			steps.append([])
		steps[step].append([int(f[1]), int(f[2]), int(f[3])])
	for step in steps:
		for item in step:
			peer.send(item[0], payload(item[1], item[2]), KIND_FLAGS[item[0] % 5])
		var deadline = now() + 30000
		var echoed = false
		while not echoed and now() < deadline:
			var e = next_event()
			if e[0] == ENetConnection.EVENT_RECEIVE and e[3] == 0:
				echoed = true
			elif e[0] == ENetConnection.EVENT_DISCONNECT:
				return
		if not echoed:
			print("deadline waiting for the echo of a step")
			return
	print("sent-all")
	until_event(ENetConnection.EVENT_DISCONNECT, 60000)


# For each value in channels=A,B,..: a new host connects with that channel count and data=D,
# waits for the server's greeting (so that the server has dispatched its CONNECT: ENet drops a
# DISCONNECT that arrives before, without an event), prints "peer channels=C state=S",
# disconnects with ddata=D2 and prints "peer active=B" once the DISCONNECT event came. A
# connection that fails (DISCONNECT first) ends the mode.
func run_connect():
	for c in opt.get("channels", "0").split(","):
		make_client()
		var peer = connect_peer(int(c), num("data", 0))
		var deadline = now() + 10000
		var e = next_event()
		while e[0] != ENetConnection.EVENT_CONNECT and e[0] != ENetConnection.EVENT_DISCONNECT and now() < deadline:
			e = next_event()
		if e[0] != ENetConnection.EVENT_CONNECT:
			print("connect failed")
			return
		if until_event(ENetConnection.EVENT_RECEIVE, 10000) == null:
			return
		print("peer channels=%d state=%d" % [peer.get_channels(), peer.get_state()])
		peer.peer_disconnect(num("ddata", 0))
		until_event(ENetConnection.EVENT_DISCONNECT, 10000)
		print("peer active=%s" % peer.is_active())
		conn.destroy()


# Connects (3 channels), sends the reliable packets seeds 0..count-1 with sizes=S0,S1,.. on
# channel seed % 3, then peer_disconnect_later(ddata) and waits for the local DISCONNECT.
func run_disconnect_later():
	make_client()
	var peer = connect_peer(3, 0)
	if until_event(ENetConnection.EVENT_CONNECT, 10000) == null:
		return
	var sizes = opt["sizes"].split(",")
	for i in range(sizes.size()):
		peer.send(i % 3, payload(i, int(sizes[i])), ENetPacketPeer.FLAG_RELIABLE)
	peer.peer_disconnect_later(num("ddata", 0))
	print("peer state=%d" % peer.get_state())
	until_event(ENetConnection.EVENT_DISCONNECT, 20000)
	print("peer active=%s" % peer.is_active())


# Connects, waits for the server's greeting, resets the peer, prints "reset active=B peers=N"
# (before and after one service), then services until signal "stop" (every event it sees is
# printed; none is expected).
func run_reset():
	make_client()
	var peer = connect_peer(1, 0)
	if until_event(ENetConnection.EVENT_CONNECT, 10000) == null:
		return
	if until_event(ENetConnection.EVENT_RECEIVE, 10000) == null:
		return
	peer.reset()
	print("reset active=%s peers=%d" % [peer.is_active(), conn.get_peers().size()])
	next_event()
	print("serviced peers=%d" % conn.get_peers().size())
	until_signal("stop", 30000)


# Connects (through the test's relay), exchanges warmup=N reliable echoes so that the round-trip
# time settles, sets set_timeout(limit, min, max) and ping_interval(60000), prints "ready", waits
# for signal "go", sends one reliable packet and waits for the timeout: "timed-out after=MS".
func run_timeout():
	make_client()
	var peer = connect_peer(1, 0)
	if until_event(ENetConnection.EVENT_CONNECT, 10000) == null:
		return
	for i in range(num("warmup", 40)):
		peer.send(0, PackedByteArray([i]), ENetPacketPeer.FLAG_RELIABLE)
		if until_event(ENetConnection.EVENT_RECEIVE, 10000) == null:
			return
	peer.set_timeout(num("limit", 0), num("min", 0), num("max", 0))
	peer.ping_interval(60000)
	print("ready rtt=%d" % peer.get_statistic(ENetPacketPeer.PEER_ROUND_TRIP_TIME))
	if not until_signal("go", 20000):
		return
	var start = now()
	peer.send(0, PackedByteArray([255]), ENetPacketPeer.FLAG_RELIABLE)
	if until_event(ENetConnection.EVENT_DISCONNECT, 60000) != null:
		print("timed-out after=%d" % (now() - start))


# Connects (3 channels) to a server that greets (a reliable packet at CONNECT) and echoes, turns
# pings off and the throttle's deceleration off (throttle_configure(5000, 2, 0)); once greeted it
# services for settle=MS (default 1200: ENet's bandwidth throttle, once a second, sends each peer a
# BANDWIDTH_LIMIT after a connect; this lets both hosts' go by), pops the four host statistics
# ("popped ..."), sends count unsequenced packets of size bytes on channel 2 in one flush (no
# acknowledgements, so no retransmission can blur the counts), waits for all echoes, and prints
# the host statistics of that exchange ("host sent-data=.. sent-packets=.. received-data=..
# received-packets=..") and every peer statistic ("peer-stat INDEX VALUE").
func run_stats():
	make_client()
	var peer = connect_peer(3, 0)
	if until_event(ENetConnection.EVENT_CONNECT, 10000) == null:
		return
	peer.ping_interval(60000)
	peer.throttle_configure(5000, 2, 0)
	if until_event(ENetConnection.EVENT_RECEIVE, 10000) == null:
		return
	var settled = now() + num("settle", 1200)
	while now() < settled:
		next_event()
	print("popped %d %d %d %d" % pop_all())
	var count = num("count", 3)
	for i in range(count):
		peer.send(2, payload(i, num("size", 100)), ENetPacketPeer.FLAG_UNSEQUENCED)
	conn.flush()
	for i in range(count):
		if until_event(ENetConnection.EVENT_RECEIVE, 10000) == null:
			return
	print("host sent-data=%d sent-packets=%d received-data=%d received-packets=%d" % pop_all())
	for s in range(14):
		print("peer-stat %d %d" % [s, peer.get_statistic(s)])
	peer.peer_disconnect(0)
	until_event(ENetConnection.EVENT_DISCONNECT, 10000)


func pop_all() -> Array:
	return [
		int(conn.pop_statistic(ENetConnection.HOST_TOTAL_SENT_DATA)),
		int(conn.pop_statistic(ENetConnection.HOST_TOTAL_SENT_PACKETS)),
		int(conn.pop_statistic(ENetConnection.HOST_TOTAL_RECEIVED_DATA)),
		int(conn.pop_statistic(ENetConnection.HOST_TOTAL_RECEIVED_PACKETS)),
	]


# Binds a host to 127.0.0.1, prints "bound port=P", and socket_send()s the payloads
# seeds 0.. with sizes=S0,S1,.. to host:port, then prints "sent".
func run_socket_send():
	conn = ENetConnection.new()
	conn.create_host_bound("127.0.0.1", 0, 1, 1)
	print("bound port=%d" % conn.get_local_port())
	var sizes = opt["sizes"].split(",")
	for i in range(sizes.size()):
		conn.socket_send(opt.get("host", "127.0.0.1"), num("port", 0), payload(i, int(sizes[i])))
	print("sent")


# Two local hosts: service(0) and service(wait=N) on an idle host ("idle0 type=T" and
# "idleN type=T waited=MS"), then a connected pair where service(5000) returns as soon as a
# packet arrives ("early type=T channel=C size=S within=B", B: before the 5000 ms).
func run_service_timeouts():
	var a = ENetConnection.new()
	a.create_host_bound("127.0.0.1", 0, 1, 2)
	var e = a.service(0)
	print("idle0 type=%d" % e[0])
	var n = num("wait", 50)
	var start = now()
	e = a.service(n)
	print("idleN type=%d waited=%d" % [e[0], now() - start])
	var b = ENetConnection.new()
	b.create_host(1, 2)
	var peer = b.connect_to_host("127.0.0.1", a.get_local_port(), 2)
	var connected = 0
	var deadline = now() + 10000
	while connected < 2 and now() < deadline:
		if a.service(0)[0] == ENetConnection.EVENT_CONNECT:
			connected += 1
		if b.service(0)[0] == ENetConnection.EVENT_CONNECT:
			connected += 1
	peer.send(1, PackedByteArray([7, 7, 7]), ENetPacketPeer.FLAG_RELIABLE)
	b.flush()
	start = now()
	e = a.service(5000)
	var data = e[1].get_packet() if e[0] == ENetConnection.EVENT_RECEIVE else PackedByteArray()
	print("early type=%d channel=%d size=%d within=%s" % [e[0], e[3], data.size(), now() - start < 5000])
	b.destroy()
	a.destroy()


# A host bound to 127.0.0.1 connects to a non-loopback address, which its socket cannot reach
# (the kernel refuses the send): the types of the first five service(0) calls ("services T,T,..").
func run_socket_error():
	var c = ENetConnection.new()
	c.create_host_bound("127.0.0.1", 0, 2, 1)
	c.connect_to_host("192.0.2.1", 7777, 1)
	var types = []
	for i in range(5):
		types.append(str(c.service(0)[0]))
	print("services %s" % ",".join(types))
	c.destroy()


# Channel limits on a host: get_max_channels after create_host_bound(channels=3) and after
# channel_limit(0), (300), (7); then create_host_bound with 300 channels ("create300 error=E");
# then whether a second connect_to_host on a client host with two slots gives a peer (nothing is
# serviced, so nothing is sent).
func run_limits():
	conn = ENetConnection.new()
	conn.create_host_bound("127.0.0.1", 0, 4, 3)
	print("max-channels created=%d" % conn.get_max_channels())
	for limit in [0, 300, 7]:
		conn.channel_limit(limit)
		print("max-channels limit(%d)=%d" % [limit, conn.get_max_channels()])
	conn.destroy()
	var other = ENetConnection.new()
	print("create300 error=%d" % other.create_host_bound("127.0.0.1", 0, 4, 300))
	var client = ENetConnection.new()
	client.create_host(2, 1)
	client.connect_to_host("127.0.0.1", 9, 1)
	print("second-connect peer=%s" % (client.connect_to_host("127.0.0.1", 9, 1) != null))
	client.destroy()
