module gauntlet/reference-servers/go-nethttp

go 1.22
