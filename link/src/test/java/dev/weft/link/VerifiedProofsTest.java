package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.identity.NodeKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class VerifiedProofsTest {
  private static final NodeKey KEY = NodeKey.generate();

  private static byte[] staticKey(int seed) {
    byte[] key = new byte[32];
    key[0] = (byte) seed;
    key[1] = (byte) (seed >> 8);
    return key;
  }

  private static HandshakePayload proofOf(byte[] noiseStatic) {
    byte[] proof = HandshakePayload.proof(KEY, noiseStatic);
    return HandshakePayload.decode(proof, proof.length);
  }

  @Test
  void aGoodProofIsRememberedAndStillHoldsWhenAskedAgain() {
    VerifiedProofs proofs = new VerifiedProofs();
    byte[] noiseStatic = staticKey(1);
    HandshakePayload proof = proofOf(noiseStatic);
    assertTrue(proofs.proves(proof, noiseStatic));
    assertTrue(proofs.proves(proof, noiseStatic));
    assertEquals(1, proofs.size());
  }

  @Test
  void aRememberedProofDoesNotVouchForAnotherStaticKeyOrSignature() {
    VerifiedProofs proofs = new VerifiedProofs();
    byte[] noiseStatic = staticKey(1);
    HandshakePayload proof = proofOf(noiseStatic);
    assertTrue(proofs.proves(proof, noiseStatic));

    assertFalse(proofs.proves(proof, staticKey(2)), "same signature, other static key");
    byte[] forged = proof.signature().clone();
    forged[0] ^= 1;
    assertFalse(proofs.proves(new HandshakePayload(proof.identity(), forged, null), noiseStatic));
    assertEquals(1, proofs.size(), "failed proofs are not kept");
  }

  @Test
  void theCacheIsBounded() {
    VerifiedProofs proofs = new VerifiedProofs();
    for (int i = 0; i < VerifiedProofs.CAPACITY + 10; i++) {
      byte[] noiseStatic = staticKey(i);
      assertTrue(proofs.proves(proofOf(noiseStatic), noiseStatic));
    }
    assertEquals(VerifiedProofs.CAPACITY, proofs.size());
  }
}
