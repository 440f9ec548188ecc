// Command terraform-provider-c0221 serves the c0221 Terraform provider over
// protocol 6.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/c0221/terraform-provider-c0221/internal/provider"
)

// version is set by goreleaser at release time.
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/c0221/c0221",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}
