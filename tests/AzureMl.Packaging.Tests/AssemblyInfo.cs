// The examples read process-wide telemetry (the quickstart counts retries on the client's meter), and the
// pack test drives the dotnet CLI: running these one at a time keeps each test's observations its own.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
