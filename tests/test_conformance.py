"""The official Jupyter kernel conformance suite against the installed godl
kernel, with every sample attribute filled, so that no test is skipped."""
from __future__ import annotations

import jupyter_kernel_test as jkt

# Cells are compiled (about a second each once warm), so allow far more than
# the suite's default 15 s per message. TIMEOUT is read at call time by the
# tests that use it directly; the helpers below take it as a default.
CELL_TIMEOUT = 120
jkt.TIMEOUT = CELL_TIMEOUT


class GodlKernelTests(jkt.KernelTests):
    kernel_name = "godl"
    language_name = "go"
    file_extension = ".go"

    code_hello_world = 'fmt.Println("hello, world")'
    code_stderr = 'fmt.Fprintln(os.Stderr, "oops")'

    # Matches replace code[cursor_start:cursor_end]; the engine completes the
    # identifier under the cursor (as gopls does), so a selector's matches
    # are the bare names. test_completion_applies checks the range.
    completion_samples = [
        {"text": "fmt.Printl", "matches": {"Println"}},
        {"text": "strings.TrimSu", "matches": {"TrimSuffix"}},
    ]

    complete_code_samples = [
        'fmt.Println("hi")',
        "x := 1",
        "func f() int { return 1 }",
        "for i := range 3 {\n\tfmt.Println(i)\n}",
        "%help",
    ]
    incomplete_code_samples = [
        "for i := range 3 {",
        "func f() {",
        "x := []int{1,\n2,",
        "y := 1 +",
    ]
    invalid_code_samples = ["1 2 3", "x := )", "func {"]

    code_page_something = "%help"
    code_generate_error = 'panic("boom")'
    code_execute_result = [{"code": "6*7", "result": "42"}]
    code_display_data = [{"code": 'display.HTML("<b>hi</b>")', "mime": "text/html"}]

    # Glob, matched against whole inputs: matches the code "6*7" above.
    code_history_pattern = "6*7"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "fmt.Println"
    code_clear_output = "display.Clear(false)"

    def execute_helper(self, code, timeout=CELL_TIMEOUT, silent=False, store_history=True, stop_on_error=True):
        return super().execute_helper(
            code, timeout=timeout, silent=silent, store_history=store_history, stop_on_error=stop_on_error
        )

    def history_helper(self, execute_first, timeout=CELL_TIMEOUT, **histargs):
        return super().history_helper(execute_first, timeout=timeout, **histargs)

    def test_completion_applies(self):
        """Applying a match over [cursor_start, cursor_end) gives the intended
        code, with cursor positions counted in code points (non-ASCII before
        the cursor)."""
        for text, want in [
            ("fmt.Printl", "fmt.Println"),
            ('s := "héllo, 世界"\nfmt.Printl', 's := "héllo, 世界"\nfmt.Println'),
            ("strings.TrimSu", "strings.TrimSuffix"),
        ]:
            with self.subTest(text=text):
                msg_id = self.kc.complete(text)
                reply = self.get_non_kernel_info_reply(timeout=CELL_TIMEOUT)
                jkt.validate_message(reply, "complete_reply", msg_id)
                c = reply["content"]
                self.assertEqual(c["cursor_end"], len(text))
                applied = {text[: c["cursor_start"]] + m + text[c["cursor_end"] :] for m in c["matches"]}
                self.assertIn(want, applied)
