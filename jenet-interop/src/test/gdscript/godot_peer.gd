# A Godot 3.2 NetworkedMultiplayerENet peer for jenet's interop tests, run headless:
#   godot3-server --no-window -s godot_peer.gd -- server PORT COMPRESSION
#   godot3-server --no-window -s godot_peer.gd -- client HOST PORT COMPRESSION SIZE...
# COMPRESSION is Godot's CompressionMode number (0 none, 1 range coder, 2 FastLZ, 3 zlib, 4 zstd).
# The server echoes every packet to its sender on the same channel (channel 1 reliable, other
# channels unreliable ordered). The client sends, for each SIZE, one reliable packet on channel 1
# and one unreliable packet on channel 2, with content make(sd, size). Both print one line per
# event: "connect ID", "disconnect ID", "recv FROM CHANNEL LENGTH ADLER32", "sent SEED CHANNEL LENGTH".
extends SceneTree

var peer
var mode = ""
var sizes = []
var started = false
var idle_frames = 0

func make(sd, size):
	var a = PoolByteArray()
	a.resize(size)
	for i in range(size):
		a[i] = (sd * 31 + i * 7) % 256
	return a

# Adler-32, the checksum the Java side compares (java.util.zip.Adler32); Godot 3.2 has no hash of bytes.
func adler32(data):
	var a = 1
	var b = 0
	for i in range(data.size()):
		a = (a + data[i]) % 65521
		b = (b + a) % 65521
	return b * 65536 + a

func _init():
	var args = OS.get_cmdline_args()
	var rest = []
	var after = false
	for a in args:
		if after:
			rest.append(a)
		elif a == "--":
			after = true
	mode = rest[0]
	peer = NetworkedMultiplayerENet.new()
	peer.connect("peer_connected", self, "_on_connect")
	peer.connect("peer_disconnected", self, "_on_disconnect")
	peer.connect("connection_succeeded", self, "_on_succeeded")
	peer.connect("connection_failed", self, "_on_failed")
	var err
	if mode == "server":
		peer.compression_mode = int(rest[2])
		err = peer.create_server(int(rest[1]), 8)
		print("listening ", err)
	else:
		peer.compression_mode = int(rest[3])
		for k in range(4, rest.size()):
			sizes.append(int(rest[k]))
		err = peer.create_client(rest[1], int(rest[2]))
		print("connecting ", err)

func _on_connect(id):
	print("connect ", id)

func _on_disconnect(id):
	print("disconnect ", id)

func _on_failed():
	print("failed")
	quit()

func _on_succeeded():
	print("succeeded ", peer.get_unique_id())
	var sd = 1
	for s in sizes:
		peer.set_target_peer(1)
		peer.transfer_mode = NetworkedMultiplayerPeer.TRANSFER_MODE_RELIABLE
		peer.transfer_channel = 1
		peer.put_packet(make(sd, s))
		print("sent ", sd, " 1 ", s)
		sd += 1
		peer.transfer_mode = NetworkedMultiplayerPeer.TRANSFER_MODE_UNRELIABLE_ORDERED
		peer.transfer_channel = 2
		peer.put_packet(make(sd, s))
		print("sent ", sd, " 2 ", s)
		sd += 1

func _idle(delta):
	if peer == null or peer.get_connection_status() == NetworkedMultiplayerPeer.CONNECTION_DISCONNECTED:
		return false
	peer.poll()
	while peer.get_available_packet_count() > 0:
		var from = peer.get_packet_peer()
		var channel = peer.get_packet_channel()
		var data = peer.get_packet()
		print("recv ", from, " ", channel, " ", data.size(), " ", adler32(data))
		if mode == "server":
			peer.set_target_peer(from)
			peer.transfer_channel = channel
			if channel == 1:
				peer.transfer_mode = NetworkedMultiplayerPeer.TRANSFER_MODE_RELIABLE
			else:
				peer.transfer_mode = NetworkedMultiplayerPeer.TRANSFER_MODE_UNRELIABLE_ORDERED
			peer.put_packet(data)
	OS.delay_msec(1)
	return false
