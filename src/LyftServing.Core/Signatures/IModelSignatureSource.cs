namespace LyftServing;

/// <summary>
/// An optional capability of model code: the loaded version's signature (its inputs and
/// outputs), shown in the status view (<see cref="ModelVersionStatus.Signature"/>, <c>GET /models</c>).
/// Tensor runtimes get it from <see cref="TensorModel"/>.
/// </summary>
public interface IModelSignatureSource
{
    /// <summary>Gets the signature; read after the load, from any thread.</summary>
    ModelSignature Signature { get; }
}
