namespace LyftServing.TorchSharp.Internal;

/// <summary>The event ids of the TorchSharp runtime's logs: 4100–4199, stable across releases (Core and other runtimes use their own ranges).</summary>
internal static class EventIds
{
    public const int ScriptModuleLoaded = 4101;
    public const int LoadCheckSkipped = 4102;
    public const int ModuleLoaded = 4103;
}
