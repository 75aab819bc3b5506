namespace LyftServing.LightGbm.Internal;

/// <summary>The event ids of the lightgbm runtime's logs: 4200–4299, stable across releases (Core and other runtimes use their own ranges).</summary>
internal static class EventIds
{
    public const int BoosterLoaded = 4201;
}
