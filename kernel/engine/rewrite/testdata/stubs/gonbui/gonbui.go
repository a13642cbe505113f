// Package gonbui is a stand-in for gonb's gonbui in the rewriter's golden
// tests.
package gonbui

func DisplayHTML(html string)                   {}
func DisplayMarkdown(md string)                 {}
func RequestInput(prompt string, password bool) {}
func UniqueId() string                          { return "" }
func Sync()                                     {}
