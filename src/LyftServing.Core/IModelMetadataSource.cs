namespace LyftServing;

/// <summary>
/// An optional capability of model code: describes the loaded version (for example a framework
/// model's input and output tensors) for the status view and <c>GET /models</c>.
/// </summary>
public interface IModelMetadataSource
{
    /// <summary>Gets a description of the loaded version, serialisable with System.Text.Json.</summary>
    /// <returns>The metadata object; called after the load, from any thread.</returns>
    object GetMetadata();
}
