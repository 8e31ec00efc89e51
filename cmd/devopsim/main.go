// Command devopsim runs a devopsim platform as a server, so the AWS CLI, boto3, other SDKs and
// git can use it:
//
//	devopsim serve -addr 127.0.0.1:4566 -data DIR -region us-east-1 -account 000000000000 -clock real|manual
//
// It prints one line, "devopsim listening on http://HOST:PORT", once it accepts connections, and
// shuts down gracefully on SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/devopsim/devopsim"
	"github.com/devopsim/devopsim/clock"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "devopsim:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "serve" {
		fmt.Fprintln(stderr, "usage: devopsim serve [-addr 127.0.0.1:4566] [-data DIR] [-region us-east-1] [-account 000000000000] [-clock real|manual] [-v]")
		return errors.New("unknown or missing command")
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:4566", "address to listen on")
	data := fs.String("data", "", "directory for durable state (default: in memory)")
	region := fs.String("region", devopsim.DefaultRegion, "default region")
	account := fs.String("account", devopsim.DefaultAccount, "default account id")
	clk := fs.String("clock", "real", "real or manual (manual time moves only via POST /_devopsim/clock/advance)")
	verbose := fs.Bool("v", false, "log to stderr")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	opts := devopsim.Options{Account: *account, Region: *region, DataDir: *data}
	switch *clk {
	case "real":
	case "manual":
		opts.Clock = clock.NewManual(time.Now().UTC().Truncate(time.Second))
	default:
		return fmt.Errorf("-clock must be real or manual, not %q", *clk)
	}
	if *verbose {
		opts.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	opts.Endpoint = "http://" + ln.Addr().String()
	p, err := devopsim.New(opts)
	if err != nil {
		ln.Close()
		return err
	}
	srv := &http.Server{Handler: p.Handler(), ReadHeaderTimeout: 30 * time.Second}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "devopsim listening on http://%s\n", ln.Addr())
	select {
	case err = <-errc:
	case <-ctx.Done():
		shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = srv.Shutdown(shutCtx)
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return errors.Join(err, p.Close(context.Background()))
}
