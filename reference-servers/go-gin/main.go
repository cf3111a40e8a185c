// Command go-gin is Gauntlet's Go reference server of the framework tier: the
// Gin web framework (on net/http's server, one goroutine per connection)
// implementing reference-servers/CONTRACT.md, set up as Gin's documentation
// advises for production: release mode, gin.New() without the request
// logger, gin.Recovery() so that a panic answers 500 instead of killing the
// connection.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
)

func main() {
	gin.SetMode(gin.ReleaseMode)

	port := os.Getenv("PORT")
	if port == "" {
		port = "0"
	}
	// net.Listen takes the backlog from net.core.somaxconn (4096 on current
	// kernels), which meets the contract's 1024.
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		log.Fatalf("listen on 127.0.0.1:%s: %v", port, err)
	}

	srv := &http.Server{
		Handler:           newRouter(newFanout(os.Getenv("UPSTREAM_URL"))),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	addr := ln.Addr().(*net.TCPAddr)
	fmt.Printf("listening on 127.0.0.1:%d (Gin %s release mode, %s, GOMAXPROCS=%d, goroutine per connection)\n",
		addr.Port, gin.Version, runtime.Version(), runtime.GOMAXPROCS(0))

	select {
	case err := <-served:
		log.Fatalf("serve: %v", err)
	case <-ctx.Done():
	}

	// Finish in-flight requests if they end soon, then drop the rest: the
	// contract wants the process gone within 2 seconds of SIGTERM.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		log.Printf("shutdown: %v", err)
	}
	_ = srv.Close()
}
