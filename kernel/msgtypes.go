package kernel

// MsgType is a Jupyter message type. Every type the kernel reads or writes
// is a constant here; handlers are looked up in one table (routes), never
// by comparing string literals.
type MsgType string

// Requests on shell and control, and their replies.
const (
	MsgExecuteRequest    MsgType = "execute_request"
	MsgExecuteReply      MsgType = "execute_reply"
	MsgInspectRequest    MsgType = "inspect_request"
	MsgInspectReply      MsgType = "inspect_reply"
	MsgCompleteRequest   MsgType = "complete_request"
	MsgCompleteReply     MsgType = "complete_reply"
	MsgHistoryRequest    MsgType = "history_request"
	MsgHistoryReply      MsgType = "history_reply"
	MsgIsCompleteRequest MsgType = "is_complete_request"
	MsgIsCompleteReply   MsgType = "is_complete_reply"
	MsgCommInfoRequest   MsgType = "comm_info_request"
	MsgCommInfoReply     MsgType = "comm_info_reply"
	MsgKernelInfoRequest MsgType = "kernel_info_request"
	MsgKernelInfoReply   MsgType = "kernel_info_reply"
	MsgShutdownRequest   MsgType = "shutdown_request"
	MsgShutdownReply     MsgType = "shutdown_reply"
	MsgInterruptRequest  MsgType = "interrupt_request"
	MsgInterruptReply    MsgType = "interrupt_reply"
	MsgConnectRequest    MsgType = "connect_request"
	MsgConnectReply      MsgType = "connect_reply"
)

// Comms travel on shell (front end to kernel) and iopub (kernel to front end).
const (
	MsgCommOpen  MsgType = "comm_open"
	MsgCommMsg   MsgType = "comm_msg"
	MsgCommClose MsgType = "comm_close"
)

// IOPub messages.
const (
	MsgStatus            MsgType = "status"
	MsgExecuteInput      MsgType = "execute_input"
	MsgStream            MsgType = "stream"
	MsgDisplayData       MsgType = "display_data"
	MsgUpdateDisplayData MsgType = "update_display_data"
	MsgExecuteResult     MsgType = "execute_result"
	MsgError             MsgType = "error"
	MsgClearOutput       MsgType = "clear_output"
)

// Stdin messages.
const (
	MsgInputRequest MsgType = "input_request"
	MsgInputReply   MsgType = "input_reply"
)

// channel names the socket a request came in on.
type channel uint8

const (
	shellChannel channel = 1 << iota
	controlChannel
)

func (c channel) String() string {
	switch c {
	case shellChannel:
		return "shell"
	case controlChannel:
		return "control"
	}
	return "?"
}

// route says how the kernel serves one request type.
type route struct {
	// reply is the reply type, "" for messages that get none (comms).
	reply MsgType
	// on lists the channels the request is served on; elsewhere it is
	// treated like an unknown type.
	on channel
	// handle serves the request. It sends the reply itself (req.reply) so
	// that execute can publish outputs before it.
	handle func(k *kernel, req *request)
	// stops is set for shutdown_request: the kernel stops after idle.
	stops bool
}

const anyChannel = shellChannel | controlChannel

// routes is the one dispatch table. A type that is missing (or arrives on
// a channel it is not listed for) is logged and ignored, with busy/idle
// around it and no reply: the spec says kernels need not reply to
// messages they do not handle and both sides must allow unknown types.
var routes map[MsgType]route

func init() {
	routes = map[MsgType]route{
		MsgExecuteRequest:    {MsgExecuteReply, shellChannel, (*kernel).handleExecute, false},
		MsgInspectRequest:    {MsgInspectReply, anyChannel, (*kernel).handleInspect, false},
		MsgCompleteRequest:   {MsgCompleteReply, anyChannel, (*kernel).handleComplete, false},
		MsgHistoryRequest:    {MsgHistoryReply, anyChannel, (*kernel).handleHistory, false},
		MsgIsCompleteRequest: {MsgIsCompleteReply, anyChannel, (*kernel).handleIsComplete, false},
		MsgCommInfoRequest:   {MsgCommInfoReply, anyChannel, (*kernel).handleCommInfo, false},
		MsgKernelInfoRequest: {MsgKernelInfoReply, anyChannel, (*kernel).handleKernelInfo, false},
		MsgConnectRequest:    {MsgConnectReply, anyChannel, (*kernel).handleConnect, false},
		MsgShutdownRequest:   {MsgShutdownReply, anyChannel, (*kernel).handleShutdown, true},
		MsgInterruptRequest:  {MsgInterruptReply, controlChannel, (*kernel).handleInterrupt, false},
		MsgCommOpen:          {"", shellChannel, (*kernel).handleComm, false},
		MsgCommMsg:           {"", shellChannel, (*kernel).handleComm, false},
		MsgCommClose:         {"", shellChannel, (*kernel).handleComm, false},
	}
}
