# The hand-made version of the edit certified first as pre-e16 (rank 16, names from BiosNames.cs, not found from data).
# mlac erase is the product version. As embprobe.py.
# embedit.py SRC_DIR DST_DIR RANK: remove a RANK-dim INLP gender subspace from the first-name rows of the word embeddings.
import sys, shutil, os
exec(open('embprobe2.py').read().split("rng=np.random")[0])
src,dst,k=sys.argv[1],sys.argv[2],int(sys.argv[3])
if os.path.exists(dst): shutil.rmtree(dst)
shutil.copytree(src,dst)
path=os.path.join(dst,'model.safetensors')
b=bytearray(open(path,'rb').read()); n=struct.unpack('<Q',b[:8])[0]; h=json.loads(b[8:8+n])
e=h['embeddings.word_embeddings.weight']; s,t=e['data_offsets']
E=np.frombuffer(bytes(b[8+n+s:8+n+t]),dtype=np.float32).reshape(e['shape']).copy()
X=E[ids].astype(np.float64); mu=X.mean(0); D=inlp_dirs(X,y,k)
E[ids]=(X-((X-mu)@D.T)@D).astype(np.float32)
b[8+n+s:8+n+t]=E.tobytes(); open(path,'wb').write(b)
Xn=E[ids]; Xs=(Xn-Xn.mean(0))/Xn.std(); w,bb=logreg(Xs,y); print('train-all acc after', ((Xs@w+bb>0)==y).mean(), 'row change norm', np.linalg.norm(Xn-X,axis=1).mean(), 'row norm', np.linalg.norm(X,axis=1).mean())
