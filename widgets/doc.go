// Package widgets is ipywidgets for Go notebooks: sliders, dropdowns,
// buttons, checkboxes, text boxes, output areas and boxes that JupyterLab,
// Notebook 7, VS Code and nbconvert draw with their own ipywidgets front
// end, because each is a real ipywidgets 8 model spoken over the Jupyter
// widgets messaging protocol 2.1.
//
//	s := widgets.NewFloatSlider("slope", 0, 1, 0.01, 0.1)
//	d := widgets.NewDropdown("activation", []string{"relu", "tanh"}, "relu")
//	widgets.Interact(func(slope float64, act string) { display.Lines(...) }, s, d)
//
// # Protocol
//
// A widget is a comm with target "jupyter.widget". Making one sends its
// comm_open with the whole state (ipywidgets' model, view and module
// names and versions, and every synced attribute; its LayoutModel and
// style model go first, referenced as "IPY_MODEL_<id>"). A change made in
// Go (Set) goes out as an "update"; a change made in the front end comes
// in as an "update", is echoed back as "echo_update" (as ipywidgets 8
// does), and runs the widget's callbacks. "request_state" is answered
// with the whole state, and "request_states" on the "jupyter.widget.control"
// comm with every widget's. Showing a widget sends the MIME type
// application/vnd.jupyter.widget-view+json with its model id beside a
// text/plain form for front ends without widgets.
//
// # Callbacks and their output
//
// Callbacks (OnChange, OnClick, Interact) run in the notebook's worker
// while the message that caused them is served: one message at a time,
// after the cell that was running when it arrived, as ipykernel serves
// comm messages on its shell channel. Their output goes where ipywidgets
// puts it: into an Output widget while it captures (Capture, and
// Interact's own output area), which the front end recognises by the
// message id the Output's msg_id is set to. A callback outside any Output
// prints into the cell that showed (or, if none did, made) its widget: the
// first time, an empty Output is added to that cell's outputs, and
// callbacks capture into it. A callback that panics shows the error in
// that same place; the kernel and the other callbacks carry on.
//
// # Transport
//
// The package talks to the front end through a Transport that the
// notebook runtime installs (SetTransport) and that hands it the front
// end's messages (Receive) and the message being served (BeginRequest).
// Without one, for example in a test or a program, widgets are plain Go
// values: Set still runs the callbacks, nothing is sent.
package widgets
