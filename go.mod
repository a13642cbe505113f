module github.com/godl-dev/godl

go 1.26
