namespace LyftServing.Server;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Serving {Models} from the model store {StoreRoot}")]
    public static partial void Serving(ILogger logger, string models, string storeRoot);
}
