using LyftServing.Server;

// A ready-to-run model server: serves every model in the model store directory
// (ModelServing:StoreRoot, by default the store bundled in samples/models) whose model.json names
// a registered runtime, and swaps to a new version folder within ModelServing:PollInterval.
var builder = WebApplication.CreateBuilder(args);
builder.AddModelServer();

var app = builder.Build();
app.MapModelServer();
app.Run();
